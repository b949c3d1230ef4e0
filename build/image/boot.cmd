# U-Boot script of the A/B root slots (compile: mkimage -A arm64 -T script
# -C none -d boot.cmd boot.scr). The slot variables and rules are those of
# operator/update/bootenv (RAUC's): boot the first slot in BOOT_ORDER with
# boots left, decrement its count, save. Linux restores the count once the
# UI reached Home and played a frame; a slot that fails BOOT_x_LEFT times in
# a row is skipped, which falls back to the other.
test -n "${BOOT_ORDER}" || setenv BOOT_ORDER "A B"
test -n "${BOOT_A_LEFT}" || setenv BOOT_A_LEFT 3
test -n "${BOOT_B_LEFT}" || setenv BOOT_B_LEFT 0  # slot B is empty in a new image
setenv slot
for s in ${BOOT_ORDER}; do
  if test "x${slot}" = "x"; then
    if test "${s}" = "A" && test ${BOOT_A_LEFT} -gt 0; then
      setexpr BOOT_A_LEFT ${BOOT_A_LEFT} - 1; setenv slot A; setenv rootpart 2
    elif test "${s}" = "B" && test ${BOOT_B_LEFT} -gt 0; then
      setexpr BOOT_B_LEFT ${BOOT_B_LEFT} - 1; setenv slot B; setenv rootpart 3
    fi
  fi
done
if test "x${slot}" = "x"; then
  # Nothing left: reset the counts and boot the first slot; a box always boots.
  setenv BOOT_A_LEFT 3; setenv BOOT_B_LEFT 3; setenv slot A; setenv rootpart 2
fi
saveenv
part uuid ${devtype} ${devnum}:${rootpart} uuid_root
setenv bootargs "root=PARTUUID=${uuid_root} rootwait ro console=${console} manbang.slot=${slot}"
load ${devtype} ${devnum}:${rootpart} ${kernel_addr_r} /vmlinuz
load ${devtype} ${devnum}:${rootpart} ${ramdisk_addr_r} /initrd.img
booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}
