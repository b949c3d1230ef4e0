// Command manbang-flash is the technicians' tool for Manbang device images:
//
//	manbang-flash verify [--key FILE] IMAGE            check signature and hashes
//	manbang-flash write [--key FILE] [--yes] IMAGE DEVICE
//	                                                    write a card or disk (bmap), read back
//	manbang-flash keygen DIR                            make a signing key pair (the build's)
//	manbang-flash sign --key PRIV [flags]               write and sign an image's manifest
//
// IMAGE is the .img file; its signed manifest (NAME.manifest.json and
// NAME.manifest.json.sig) and block map (IMAGE.bmap) sit beside it. The
// public key that verifies images is built in (-ldflags -X
// main.publicKey=BASE64) or given with --key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// publicKey is the base64 of the image-signing public key, set at build
// time with -ldflags "-X main.publicKey=...".
var publicKey = ""

const usage = `usage:
  manbang-flash verify [--key PUBFILE] IMAGE
  manbang-flash write [--key PUBFILE] [--yes] IMAGE DEVICE
  manbang-flash keygen DIR
  manbang-flash sign --key PRIVFILE --name N --version V --model M --image IMG --bmap BMAP --update ROOTFS [--part NAME:OFFSET:SIZE]...
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "manbang-flash:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "verify":
		return cmdVerify(args[1:], stdout, stderr)
	case "write":
		return cmdWrite(ctx, args[1:], stdin, stdout, stderr)
	case "keygen":
		return cmdKeygen(args[1:], stdout)
	case "sign":
		return cmdSign(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
