package live

// sysSendmmsg is sendmmsg's system call number (package syscall lacks
// it on 386).
const sysSendmmsg = 345
