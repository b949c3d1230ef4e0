package operator

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// DefaultCAFile is where a device image keeps the operator's certificate
// authorities, on its read-only root (docs/IMAGE.md): the box and its
// update agent trust these for the operator, and no others.
const DefaultCAFile = "/etc/manbang/operator-ca.pem"

// CAFileFor returns the CA file a box uses: path if it was given (an
// error if it cannot be read), else DefaultCAFile where the image has
// one, else "" (the system's authorities, as on a desktop).
func CAFileFor(path string, given bool) (string, error) {
	if given {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("operator CA file: %w", err)
		}
		return path, nil
	}
	if _, err := os.Stat(DefaultCAFile); err == nil {
		return DefaultCAFile, nil
	}
	return "", nil
}

// pinnedClient returns an HTTP client that trusts, for https, only the CAs
// of the PEM file caFile and of the PEM blocks pems.
func pinnedClient(caFile string, pems [][]byte) (*http.Client, error) {
	pool := x509.NewCertPool()
	if caFile != "" {
		b, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("operator: CA file: %w", err)
		}
		pems = append([][]byte{b}, pems...)
	}
	for i, p := range pems {
		if !pool.AppendCertsFromPEM(p) {
			if i == 0 && caFile != "" {
				return nil, fmt.Errorf("operator: CA file %s holds no PEM certificate", caFile)
			}
			return nil, errors.New("operator: pinned CA holds no PEM certificate")
		}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

// PinnedHTTPClient returns an HTTP client whose https connections trust
// only the CAs of the PEM file caFile and of the PEM blocks pems, as a
// Client with ClientConfig.CAFile and PinnedCAs does: for other code that
// talks to the operator's servers (the box's update agent).
func PinnedHTTPClient(caFile string, pems [][]byte) (*http.Client, error) {
	if caFile == "" && len(pems) == 0 {
		return nil, errors.New("operator: no CA to trust")
	}
	return pinnedClient(caFile, pems)
}
