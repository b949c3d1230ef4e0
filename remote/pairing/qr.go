package pairing

import (
	"fmt"
	"image"

	qrcode "github.com/skip2/go-qrcode"
)

// QR returns a QR code of content (the pairing URL with the code, see
// remote/control) as a black-on-white image about size pixels wide, with
// its quiet border, for the UI to draw.
func QR(content string, size int) (image.Image, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("pairing: QR code: %w", err)
	}
	return q.Image(size), nil
}

// QRPNG is QR as a PNG file.
func QRPNG(content string, size int) ([]byte, error) {
	b, err := qrcode.Encode(content, qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("pairing: QR code: %w", err)
	}
	return b, nil
}

// QRModules returns the QR code of content as its matrix of modules, true
// for a dark one, with its quiet border: the UI draws each as a square.
func QRModules(content string) ([][]bool, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("pairing: QR code: %w", err)
	}
	return q.Bitmap(), nil
}
