package audio

import "errors"

var errClosed = errors.New("audio: sink closed")
