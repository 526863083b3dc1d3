#!/bin/bash
# A Debian bookworm VM with four (+1) virtio data disks, sshd forwarded to a loopback port.
#
#   vm.sh build              build the image into the cache (no-op when cached); prints the image dir
#   vm.sh start  WORK PORT [MB]  boot a VM whose state lives in WORK (data disks of MB each, default
#                            256; pid, console log, known_hosts, inventory.yaml); root.img is copy-on-write
#   vm.sh ssh    WORK CMD…   run CMD in the VM as root
#   vm.sh reboot WORK        reboot inside the VM and wait for a new boot to accept ssh
#   vm.sh stop   WORK        power off (kill after 60 s)
#
# The image is cached in ${FERRY_VM_CACHE:-/var/cache/ferry-vm}/<key>, key = sha256 of the build
# recipe (its functions) + kernel version, so CI and later runs reuse it. Needs root (debootstrap, chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${FERRY_VM_CACHE:-/var/cache/ferry-vm}
MIRROR=${FERRY_VM_MIRROR:-http://deb.debian.org/debian}
K=${FERRY_VM_KERNEL:-$(find /boot -maxdepth 1 -name 'vmlinuz-*-amd64' -printf '%f\n' 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -1)}
[ -n "$K" ] || { echo "no /boot/vmlinuz-*-amd64: apt-get install linux-image-amd64" >&2; exit 3; }
DATA_DISKS="b c d e f"   # vdb..vde: the stripe; vdf: holds ext4 (must be refused)

mods() { modprobe -S "$K" --show-depends -a "$@" | awk '/^insmod/ && !s[$2]++ {print $2}'; }

sshv() {
  local w=$1; shift
  # one multiplexed connection: an SSH handshake costs seconds under TCG
  ssh -i "$IMG/id_ed25519" -p "$(cat "$w/port")" -o UserKnownHostsFile="$w/known_hosts" \
    -o StrictHostKeyChecking=yes -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5 \
    -o ControlMaster=auto -o ControlPath="$w/ssh-%C" -o ControlPersist=120 \
    root@127.0.0.1 "$@"
}

wait_ssh() {
  local w=$1 i
  for i in $(seq 1 600); do
    if sshv "$w" true 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$w/qemu.pid")" 2>/dev/null; then echo "qemu exited; console:" >&2; tail -30 "$w/console.log" >&2; return 1; fi
    sleep 0.5
  done
  echo "ssh did not come up; console:" >&2; tail -30 "$w/console.log" >&2; return 1
}

build() {
  if [ -f "$IMG/ready" ]; then echo "$IMG"; return 0; fi
  mkdir -p "$CACHE"
  local B; B=$(mktemp -d "$CACHE/build.XXXXXX"); local R=$B/rootfs
  trap 'rm -rf "$B"' EXIT
  ssh-keygen -q -t ed25519 -N '' -C ferry-vm-client -f "$B/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C ferry-vm-host -f "$B/ssh_host_ed25519_key"
  debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,openssh-server,mdadm,lvm2,xfsprogs,e2fsprogs,mount,util-linux,iproute2,procps \
    bookworm "$R" "$MIRROR" >"$B/debootstrap.log" 2>&1 || { tail -20 "$B/debootstrap.log" >&2; exit 1; }
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/locale/*
  # only the kernel modules the tests need (~10 MB instead of ~400 MB)
  rm -rf "$R/lib/modules/$K"; mkdir -p "$R/lib/modules/$K"
  mods virtio_pci virtio_blk virtio_net virtio_rng ext4 xfs md_mod raid0 raid1 raid10 raid456 linear \
       dm_mod dm_snapshot dm_mirror dm_thin_pool crc32c_intel crc32c_generic loop autofs4 |
    while read -r f; do mkdir -p "$R$(dirname "$f")"; cp "$f" "$R$f"; done
  cp /lib/modules/"$K"/modules.{order,builtin,builtin.modinfo} "$R/lib/modules/$K/"
  depmod -b "$R" "$K"
  echo ferryvm > "$R/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 ferryvm\n' > "$R/etc/hosts"
  echo '/dev/vda / ext4 defaults,noatime 0 0' > "$R/etc/fstab"
  echo 'nameserver 10.0.2.3' > "$R/etc/resolv.conf"
  install -d -m700 "$R/root/.ssh"; install -m600 "$B/id_ed25519.pub" "$R/root/.ssh/authorized_keys"
  rm -f "$R"/etc/ssh/ssh_host_*
  install -m600 "$B/ssh_host_ed25519_key" "$R/etc/ssh/ssh_host_ed25519_key"
  install -m644 "$B/ssh_host_ed25519_key.pub" "$R/etc/ssh/ssh_host_ed25519_key.pub"
  printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\n' > "$R/etc/ssh/sshd_config.d/ferry.conf"
  chroot "$R" passwd -d root >/dev/null   # serial console login for debugging; sshd stays key-only
  chroot "$R" systemctl mask -q apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
    getty-static.service getty@tty1.service dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount \
    sys-kernel-tracing.mount sys-fs-fuse-connections.mount systemd-pstore.service lvm2-monitor.service \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount mdmonitor-oneshot.timer mdcheck_start.timer \
    mdcheck_continue.timer fstrim.timer
  # tiny initrd: busybox + virtio/ext4 modules; sets the static slirp address itself
  local I=$B/initrd; mkdir -p "$I"/{bin,newroot,proc,sys,dev,mods}; cp /bin/busybox "$I/bin/"
  # Debian's busybox is dynamically linked: bring its loader and libraries along
  ldd /bin/busybox | grep -o '/[^ ]*' | while read -r f; do mkdir -p "$I$(dirname "$f")"; cp -L "$f" "$I$f"; done
  mods virtio_pci virtio_blk virtio_net ext4 crc32c_generic | while read -r f; do cp "$f" "$I/mods/"; basename "$f" >> "$I/mods/order"; done
  cat > "$I/init" <<'EOS'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m; done
n=0; while ! [ -b /dev/vda -a -e /sys/class/net/eth0 ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done
ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
mount -t ext4 -o rw,noatime /dev/vda /newroot || { echo "root mount failed"; exec sh; }
umount /proc /sys /dev
exec switch_root /newroot /sbin/init
EOS
  chmod +x "$I/init"; (cd "$I" && find . | cpio -o -H newc --quiet | gzip -1) > "$B/initrd.cpio.gz"
  # uncompressed kernel: qemu boots it via PVH, skipping the xz decompression under TCG
  local off; off=$(LC_ALL=C grep -abo $'\xfd7zXZ' "/boot/vmlinuz-$K" | head -1 | cut -d: -f1)
  tail -c +$((off+1)) "/boot/vmlinuz-$K" | xz -dc --single-stream > "$B/vmlinux" 2>/dev/null || true
  [ -s "$B/vmlinux" ] || cp "/boot/vmlinuz-$K" "$B/vmlinux"
  mkfs.ext4 -q -L root -d "$R" "$B/root.img" 1G
  rm -rf "$R" "$I"
  echo "$K" > "$B/kernel"; touch "$B/ready"
  rm -rf "$IMG"; mv "$B" "$IMG"; trap - EXIT
  # images of older recipes are dead weight (~0.4 GB each)
  local old; for old in "$CACHE"/????????????????; do
    if [ -f "$old/ready" ] && [ "$old" != "$IMG" ]; then rm -rf "$old"; fi
  done
  echo "$IMG"
}

start() {
  local w=$1 port=$2 mb=${3:-256} d A
  [ -f "$IMG/ready" ] || { echo "image not built: vm.sh build" >&2; exit 1; }
  mkdir -p "$w"; echo "$port" > "$w/port"
  # sparse files: a bigger disk costs nothing until written
  for d in $DATA_DISKS; do rm -f "$w/disk$d.img"; truncate -s "$( [ "$d" = f ] && echo 64M || echo "${mb}M" )" "$w/disk$d.img"; done
  # the fifth disk holds an ext4 filesystem with a file on it: prep must refuse it and leave it untouched
  mkdir -p "$w/ext4-content"; echo "precious data" > "$w/ext4-content/keep.txt"
  mkfs.ext4 -q -L precious -d "$w/ext4-content" "$w/diskf.img"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1-2 "$IMG/ssh_host_ed25519_key.pub")" > "$w/known_hosts"
  cp "$IMG/id_ed25519" "$w/id_ed25519"; chmod 600 "$w/id_ed25519"
  printf 'hosts:\n  vm: { address: 127.0.0.1, port: %s, user: root, roles: [db] }\n' "$port" > "$w/inventory.yaml"
  if [ -e /dev/kvm ] && [ "${FERRY_VM_ACCEL:-tcg}" = kvm ]; then A="-accel kvm -cpu host"; else A="-accel tcg,tb-size=256 -cpu max"; fi
  # shellcheck disable=SC2046,SC2086
  qemu-system-x86_64 $A -smp 2 -m "${FERRY_VM_MEM:-512}" -nodefaults -display none \
    -serial "file:$w/console.log" -daemonize -pidfile "$w/qemu.pid" \
    -kernel "$IMG/vmlinux" -initrd "$IMG/initrd.cpio.gz" \
    -append "console=ttyS0 quiet mitigations=off net.ifnames=0" \
    -drive "file=$IMG/root.img,format=raw,if=virtio,snapshot=on" \
    $(for d in $DATA_DISKS; do echo "-drive file=$w/disk$d.img,format=raw,if=virtio"; done) \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0,romfile= \
    -device virtio-rng-pci
  wait_ssh "$w"
}

reboot_vm() {
  local w=$1 before after i
  before=$(sshv "$w" cat /proc/sys/kernel/random/boot_id)
  sshv "$w" 'systemctl reboot' >/dev/null 2>&1 || true
  for i in $(seq 1 600); do
    after=$(sshv "$w" cat /proc/sys/kernel/random/boot_id 2>/dev/null || true)
    if [ -n "$after" ] && [ "$after" != "$before" ]; then return 0; fi
    if ! kill -0 "$(cat "$w/qemu.pid")" 2>/dev/null; then echo "qemu exited during reboot" >&2; tail -30 "$w/console.log" >&2; return 1; fi
    sleep 0.5
  done
  echo "VM did not come back after reboot" >&2; tail -30 "$w/console.log" >&2; return 1
}

stop() {
  local w=$1 p i
  [ -f "$w/qemu.pid" ] || return 0
  p=$(cat "$w/qemu.pid")
  sshv "$w" 'systemctl poweroff' >/dev/null 2>&1 || true
  sshv "$w" -O exit >/dev/null 2>&1 || true   # the multiplexing master
  for i in $(seq 1 120); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$p" 2>/dev/null; then kill "$p"; fi
  rm -f "$w/qemu.pid"
}

# cache key: the build recipe (this file's build functions) + kernel version + mirror
KEY=$( { declare -f build mods; echo "$K $MIRROR"; } | sha256sum | cut -c1-16)
IMG=$CACHE/$KEY

case ${1:-} in
  # one build at a time (two VM test files may start together); the second then finds it ready
  build) mkdir -p "$CACHE"; exec 9>"$CACHE/.build.lock"; flock 9; build ;;
  start) start "${2:?work dir}" "${3:?port}" "${4:-256}" ;;
  ssh) w=${2:?work dir}; shift 2; sshv "$w" "$@" ;;
  reboot) reboot_vm "${2:?work dir}" ;;
  stop) stop "${2:?work dir}" ;;
  key) echo "$KEY" ;;
  *) echo "usage: $0 build | start WORK PORT | ssh WORK CMD | reboot WORK | stop WORK" >&2; exit 2 ;;
esac
