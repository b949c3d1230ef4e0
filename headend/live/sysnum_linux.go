//go:build linux && !amd64 && !386

package live

import "syscall"

// sysSendmmsg is sendmmsg's system call number.
const sysSendmmsg = syscall.SYS_SENDMMSG
