package live

// sysSendmmsg is sendmmsg's system call number (package syscall lacks
// it on amd64).
const sysSendmmsg = 307
