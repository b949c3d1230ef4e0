// Package photo decodes the viewer's photos (JPEG and PNG) for the media
// browser and the photo screen: upright as the camera's EXIF orientation
// says, scaled to fit the screen, and bounded, so that a 48-megapixel
// photo or a small file claiming a huge picture cannot take the box's
// memory. It runs off the render loop.
package photo

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
)

// MaxPixels bounds the pictures decoded: 50 megapixels (a phone's largest
// photos), about 75 MB while decoding a JPEG.
const MaxPixels = 50 << 20

// ErrTooLarge is returned for a picture larger than MaxPixels.
var ErrTooLarge = errors.New("photo: picture too large")

// ErrFormat is returned for a file that is not a JPEG or PNG picture.
var ErrFormat = errors.New("photo: not a JPEG or PNG picture")

// Decode reads a JPEG or PNG picture and returns it upright, scaled down
// (never up) to fit maxW×maxH.
func Decode(r io.ReadSeeker, maxW, maxH int) (*image.RGBA, error) {
	if maxW <= 0 || maxH <= 0 {
		return nil, fmt.Errorf("photo: size %dx%d", maxW, maxH)
	}
	br := bufio.NewReader(r)
	head, _ := br.Peek(8)
	var decode func(io.Reader) (image.Image, error)
	var config func(io.Reader) (image.Config, error)
	orient := Orientation(1)
	switch {
	case len(head) >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff:
		decode, config = jpeg.Decode, jpeg.DecodeConfig
		orient = ReadOrientation(br)
	case len(head) == 8 && string(head) == "\x89PNG\r\n\x1a\n":
		decode, config = png.Decode, png.DecodeConfig
	default:
		return nil, ErrFormat
	}
	rewind := func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("photo: %w", err)
		}
		br.Reset(r)
		return nil
	}
	if err := rewind(); err != nil {
		return nil, err
	}
	c, err := config(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if c.Width <= 0 || c.Height <= 0 || int64(c.Width)*int64(c.Height) > MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d", ErrTooLarge, c.Width, c.Height)
	}
	if err := rewind(); err != nil {
		return nil, err
	}
	img, err := decode(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if orient >= 5 { // turned a quarter: fit the turned picture
		maxW, maxH = maxH, maxW
	}
	return orient.apply(fit(img, maxW, maxH)), nil
}

// fit scales img down to fit maxW×maxH, keeping its shape.
func fit(img image.Image, maxW, maxH int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > maxW || h > maxH {
		if w*maxH > h*maxW {
			w, h = maxW, max(1, h*maxW/w)
		} else {
			w, h = max(1, w*maxH/h), maxH
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(out, out.Bounds(), img, b, draw.Src, nil)
	return out
}

// apply turns src upright: EXIF's orientations 2–8 are mirrorings and
// quarter turns of the stored picture.
func (o Orientation) apply(src *image.RGBA) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // upside down, mirrored
				dx, dy = x, h-1-y
			case 5: // mirrored, turned a quarter
				dx, dy = y, x
			case 6: // turned a quarter to the left: turn right
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8: // turned a quarter to the right: turn left
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}
