/**
 * setup / gather_facts: the common ansible_facts of a Linux node, in one exec
 * (ansible.builtin.setup). The script only collects raw text (os-release, uname, ip, /proc);
 * it is parsed here, on the controller.
 *
 * Arguments:
 * - gather_subset: list of all, min, network, hardware, virtual, ohai, facter, or single
 *   collectors (distribution, interfaces, ...); '!name' excludes.   `gather_subset: [min, network]`
 * - filter: glob(s) on fact names to keep.                          `filter: ansible_distribution*`
 * - gather_timeout: seconds (default 10).                           `gather_timeout: 20`
 * - fact_path: where the local facts (ansible_local) are read, /etc/ansible/facts.d by default.
 *
 * Returns: ansible_facts with ansible_-prefixed keys: distribution, distribution_version,
 * distribution_major_version, distribution_release, os_family, system, kernel, kernel_version,
 * architecture, machine, hostname, nodename, fqdn, domain, default_ipv4, default_ipv6, interfaces,
 * ansible_<iface> (device, active, mtu, macaddress, type, ipv4, ipv4_secondaries, ipv6),
 * all_ipv4_addresses, all_ipv6_addresses, memtotal_mb, memfree_mb, swaptotal_mb, swapfree_mb,
 * processor_count, processor_cores, processor_vcpus, processor_threads_per_core, processor,
 * service_mgr, pkg_mgr, date_time, env, mounts, machine_id, boot_id, uptime_seconds, dns,
 * user_id, user_uid, user_gid, user_dir, user_shell, python (absent: philote needs no Python),
 * gather_subset, module_setup.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { num, strList } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';
import { ConfigParserError, PyConfigParser } from '../../values/configparser.js';
import { pythonJsonError } from '../../values/python-json.js';

const schema = z
  .object({
    gather_subset: strList.default(['all']),
    gather_timeout: num.default(10),
    filter: strList.default([]),
    fact_path: z.string().optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const MIN = ['date_time', 'distribution', 'dns', 'env', 'pkg_mgr', 'platform', 'service_mgr', 'user', 'cmdline', 'local'];
const NETWORK = ['interfaces'];
const HARDWARE = ['hardware', 'mounts'];
const ALL = [...MIN, ...NETWORK, ...HARDWARE];

function subsets(spec: string[]): Set<string> {
  const on = new Set<string>();
  const add = (n: string) => {
    if (n === 'all') ALL.forEach((x) => on.add(x));
    else if (n === 'min') MIN.forEach((x) => on.add(x));
    else if (n === 'network') NETWORK.forEach((x) => on.add(x));
    else if (n === 'hardware' || n === 'devices') HARDWARE.forEach((x) => on.add(x));
    else if (n === 'distribution' || n === 'platform' || n === 'interfaces' || MIN.includes(n) || HARDWARE.includes(n)) on.add(n);
  };
  const includes = spec.filter((s) => !s.startsWith('!'));
  if (includes.length === 0 || spec.every((s) => s.startsWith('!'))) add('all');
  includes.forEach(add);
  MIN.forEach((x) => on.add(x)); // min is always gathered, as in Ansible
  for (const s of spec.filter((x) => x.startsWith('!'))) {
    const n = s.slice(1);
    const drop = n === 'all' ? [...NETWORK, ...HARDWARE] : n === 'network' ? NETWORK : n === 'hardware' ? HARDWARE : n === 'min' ? [] : [n];
    drop.forEach((x) => on.delete(x));
  }
  return on;
}

/**
 * ansible_distribution_version as sys_info.get_distribution_version gives it: os-release's
 * VERSION_ID, but for Debian (whose os-release has no minor version) the most precise version
 * distro finds, /etc/debian_version's "12.11" (CentOS's major.minor: not read yet).
 */
function distributionVersion(id: string, versionId: string, debianVersion: string): string {
  if (id === 'debian') {
    const best = /^\s*(\d+(?:\.\d+)*)/.exec(debianVersion)?.[1];
    if (best && best.split('.').length > versionId.split('.').length) return best;
  }
  return versionId;
}

const SCRIPT = String.raw`
t=$(mktemp -d) || fail "cannot create a temporary directory"
trap 'rm -rf "$t"' EXIT
sect() { _n=$1; shift; "$@" > "$t/$_n" 2>/dev/null; blob "$_n" "$t/$_n"; }
catf() { cat "$@" 2>/dev/null; true; }
sect osrel catf /etc/os-release
sect debver catf /etc/debian_version
sect uname sh -c 'uname -s; uname -r; uname -v; uname -m; uname -n'
# ansible_fqdn is Python's socket.getfqdn(): the name's address looked up in reverse, the first
# of its names with a dot, else its canonical name (hostname -f when getent cannot say).
sect host sh -c 'h=$(hostname 2>/dev/null || uname -n); echo "$h"; a=$(getent ahosts "$h" 2>/dev/null | awk "NR==1{print \$1}"); n=; [ -n "$a" ] && n=$(getent hosts "$a" 2>/dev/null | head -n 1); if [ -n "$n" ]; then set -- $n; shift; c=$1; for x in "$@"; do case $x in *.*) c=$x; break ;; esac; done; echo "$c"; else hostname -f 2>/dev/null || echo "$h"; fi'
# The user: name, effective and real ids, home, then the passwd entry's shell and gecos.
sect ids sh -c 'id -un; id -u; id -g; echo "$HOME"; id -ru; id -rg; awk -F: -v u="$(id -un)" "\$1==u{print \$7; print \$5; exit}" /etc/passwd'
sect misc sh -c 'cat /etc/machine-id 2>/dev/null || echo; cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo; cut -d" " -f1 /proc/uptime 2>/dev/null || echo; cat /proc/1/comm 2>/dev/null || echo; [ -d /run/systemd/system ] && echo systemd || echo; for m in apt-get dnf yum apk zypper pacman; do command -v $m >/dev/null 2>&1 && { echo $m; break; }; done; echo'
sect date date '+%Y %m %d %H %M %S %s %Z %z %A %w %U %a %b %j %u %V'
# ansible_python describes the node's Python when it has one (philote itself needs none).
sect py sh -c 'for p in python3 python; do command -v $p >/dev/null 2>&1 && exec $p -c "import sys;print(sys.executable);print(*sys.version_info)"; done; true'
# NUL-separated from /proc so that a multi-line value (sudo's SUDO_COMMAND) cannot forge variables.
sect env sh -c 'if [ -r /proc/self/environ ]; then tr "\\n\\000" "\\001\\n" < /proc/self/environ; else env; fi'
sect resolv catf /etc/resolv.conf
sect cmdline catf /proc/cmdline
# fips, the chroot check (/ against /proc/1/root) and the userspace's word size, one per line.
sect more sh -c 'cat /proc/sys/crypto/fips_enabled 2>/dev/null || echo 0; if [ -n "$debian_chroot" ]; then echo 1; elif a=$(stat -c %d:%i / 2>/dev/null) && b=$(stat -c %d:%i /proc/1/root/. 2>/dev/null); then [ "$a" = "$b" ] && echo 0 || echo 1; else i=$(stat -c %i /); r=2; case $(stat -f -c %T / 2>/dev/null) in *btrfs*) r=256 ;; *xfs*) r=128 ;; esac; [ "$i" = "$r" ] && echo 0 || echo 1; fi; getconf LONG_BIT 2>/dev/null || echo'
# lsb: lsb_release -a when it exists and succeeds, then a separator, then /etc/lsb-release.
sect lsb sh -c 'command -v lsb_release >/dev/null 2>&1 && o=$(lsb_release -a 2>/dev/null) && printf "%s\n" "$o"; echo "---philote---"; cat /etc/lsb-release 2>/dev/null; true'
# ssh_pub_keys: the host keys of the first directory that has any.
sect sshk sh -c 'for d in /etc/ssh /etc/openssh /etc; do f=; for a in dsa rsa ecdsa ed25519; do [ -r "$d/ssh_host_$a""_key.pub" ] && { f=1; printf "%s " "$a"; cat "$d/ssh_host_$a""_key.pub"; }; done; [ -n "$f" ] && break; done; true'
# Linux security modules: AppArmor's securityfs entry; SELinux's enforce flag, policy version and config.
sect lsm sh -c '[ -e /sys/kernel/security/apparmor ] && echo aa=1; [ -r /sys/fs/selinux/enforce ] && echo "se_enforce=$(cat /sys/fs/selinux/enforce)"; [ -r /sys/fs/selinux/policyvers ] && echo "se_vers=$(cat /sys/fs/selinux/policyvers)"; grep -E "^(SELINUX|SELINUXTYPE)=" /etc/selinux/config 2>/dev/null; true'
if [ -n "$a_net" ]; then
  sect link ip -o -d link show
  sect addr ip -o addr show
  sect r4 ip -4 route get 8.8.8.8
  sect r6 ip -6 route get 2001:4860:4860::8888
  # Each device of /sys/class/net with its pciid, speed and driver module where sysfs has them.
  sect sysnet sh -c 'for n in $(ls -U /sys/class/net 2>/dev/null); do d=/sys/class/net/$n; p=; [ -e "$d/device" ] && p=$(readlink "$d/device") && p=${'$'}{p##*/}; s=$(cat "$d/speed" 2>/dev/null) || s=; m=; [ -e "$d/device/driver/module" ] && m=$(readlink "$d/device/driver/module") && m=${'$'}{m##*/}; printf "%s\t%s\t%s\t%s\n" "$n" "$p" "$s" "$m"; done'
fi
if [ -n "$a_hw" ]; then
  sect mem catf /proc/meminfo
  sect cpu catf /proc/cpuinfo
  sect mounts catf /proc/mounts
  sect df df -P -k
  sect loadavg catf /proc/loadavg
  # DMI: one "name=value" per file of /sys/devices/virtual/dmi/id that exists and can be read.
  sect dmi sh -c 'cd /sys/devices/virtual/dmi/id 2>/dev/null || exit 0; for n in bios_date bios_vendor bios_version board_asset_tag board_name board_serial board_vendor board_version chassis_asset_tag chassis_serial chassis_vendor chassis_version chassis_type product_name product_serial product_uuid product_version sys_vendor; do [ -r "$n" ] && v=$(cat "$n" 2>/dev/null) && printf "%s=%s\n" "$n" "$v"; done; true'
fi
# Local facts (the local collector): every *.fact file of fact_path, run when its owner may
# execute it (S_IXUSR), read otherwise; the controller reads each as JSON, else as INI.
if [ -n "$a_fp" ] && [ -d "$a_fp" ]; then
  _i=0; : > "$t/lfidx"
  for _f in "$a_fp"/*.fact; do
    [ -e "$_f" ] || [ -L "$_f" ] || continue
    _m=$(stat -L -c %a "$_f" 2>/dev/null) || { printf '%s\ts\t0\t%s\n' "$_i" "$_f" >> "$t/lfidx"; _i=$((_i + 1)); continue; }
    _o=${'$'}{_m%??}; _o=${'$'}{_o#"${'$'}{_o%?}"}
    case $_o in
      1|3|5|7) "$_f" > "$t/lf$_i" 2> "$t/lfe$_i"; _rc=$?; _k=x; blob "lfe$_i" "$t/lfe$_i" ;;
      *) cat "$_f" > "$t/lf$_i" 2>/dev/null; _rc=0; _k=f ;;
    esac
    blob "lf$_i" "$t/lf$_i"
    printf '%s\t%s\t%s\t%s\n' "$_i" "$_k" "$_rc" "$_f" >> "$t/lfidx"
    _i=$((_i + 1))
  done
  blob lfidx "$t/lfidx"
fi
emit '"ok":1'
`;

const OS_FAMILY: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Debian', raspbian: 'Debian', linuxmint: 'Debian', pop: 'Debian', kali: 'Debian', devuan: 'Debian',
  rhel: 'RedHat', centos: 'RedHat', fedora: 'RedHat', rocky: 'RedHat', almalinux: 'RedHat', ol: 'RedHat', amzn: 'RedHat',
  sles: 'Suse', opensuse: 'Suse', 'opensuse-leap': 'Suse', 'opensuse-tumbleweed': 'Suse', arch: 'Archlinux', manjaro: 'Archlinux',
  alpine: 'Alpine', gentoo: 'Gentoo', nixos: 'NixOS',
};
const DIST_NAME: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Ubuntu', rhel: 'RedHat', centos: 'CentOS', fedora: 'Fedora', rocky: 'Rocky', almalinux: 'AlmaLinux',
  alpine: 'Alpine', arch: 'Archlinux', opensuse: 'openSUSE', 'opensuse-leap': 'openSUSE Leap', sles: 'SLES', raspbian: 'Debian', amzn: 'Amazon', ol: 'OracleLinux',
};

function kv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return out;
}

function prefixToMask(bits: number): string {
  const m = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}
function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}
function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

interface Iface {
  device: string;
  active: boolean;
  mtu?: number;
  macaddress?: string;
  type: string;
  promisc: boolean;
  ipv4?: Record<string, string>;
  ipv4_secondaries?: Array<Record<string, string>>;
  ipv6?: Array<Record<string, string>>;
  pciid?: string;
  speed?: number;
  module?: string;
}

function parseNetwork(link: string, addr: string, r4: string, r6: string, sysnet: string, f: Record<string, unknown>): void {
  const ifs = new Map<string, Iface>();
  for (const line of link.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>(.*)$/.exec(line);
    if (!m) continue;
    const [, name, flags, rest] = m;
    const mtu = /\bmtu (\d+)/.exec(rest!);
    const mac = /link\/(\S+)(?: (\S+))?/.exec(rest!);
    const kind = /\\\s+(vxlan|dummy|bridge|veth|ipip|vlan|bond|tun|wireguard|geneve|macvlan|gre)\b/.exec(rest!);
    const t = mac?.[1] === 'loopback' ? 'loopback' : kind ? kind[1]! : mac?.[1] === 'ether' ? 'ether' : (mac?.[1] ?? 'unknown');
    const i: Iface = { device: name!, active: flags!.split(',').includes('UP'), type: t, promisc: flags!.split(',').includes('PROMISC') };
    if (mtu) i.mtu = Number(mtu[1]);
    // Not the loopback's all-zero address (ansible-core leaves it out).
    if (mac?.[2] && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac[2]) && mac[2] !== '00:00:00:00:00:00') i.macaddress = mac[2];
    ifs.set(name!, i);
  }
  const all4: string[] = [];
  const all6: string[] = [];
  for (const line of addr.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+(inet6?)\s+(\S+)\/(\d+)(.*)$/.exec(line);
    if (!m) continue;
    const [, name, fam, ip, pfx, rest] = m;
    const i = ifs.get(name!);
    if (!i) continue;
    if (fam === 'inet') {
      const bits = Number(pfx);
      const mask = prefixToMask(bits);
      const bcast = /\bbrd (\S+)/.exec(rest!)?.[1] ?? '';
      const entry = { address: ip!, broadcast: bcast, netmask: mask, network: intToIp(ipToInt(ip!) & ipToInt(mask)), prefix: String(bits) };
      if (!i.ipv4) i.ipv4 = entry;
      else (i.ipv4_secondaries ??= []).push(entry);
      if (!ip!.startsWith('127.')) all4.push(ip!);
    } else {
      const scope = /\bscope (\S+)/.exec(rest!)?.[1] ?? '';
      (i.ipv6 ??= []).push({ address: ip!, prefix: pfx!, scope });
      if (ip !== '::1') all6.push(ip!);
    }
  }
  for (const line of sysnet.split('\n')) {
    const [n, pciid, speed, module] = line.split('\t');
    const i = n ? ifs.get(n) : undefined;
    if (!i) continue;
    if (pciid) i.pciid = pciid;
    if (speed !== undefined && /^-?\d+$/.test(speed.trim())) i.speed = Number(speed.trim());
    if (module) i.module = module;
  }
  // ansible-core's order is a Python set's (remove_values turns the keys into a set): random per
  // run with string hashing; sorted here, so it at least does not change between runs.
  f['ansible_interfaces'] = [...ifs.keys()].sort();
  for (const [n, i] of ifs) f[`ansible_${n.replace(/[-.:]/g, '_')}`] = i;
  f['ansible_all_ipv4_addresses'] = all4;
  f['ansible_all_ipv6_addresses'] = all6;
  const dflt = (route: string, v6: boolean): Record<string, unknown> => {
    const dev = /\bdev (\S+)/.exec(route)?.[1];
    if (!dev) return {};
    const i = ifs.get(dev);
    const gw = /\bvia (\S+)/.exec(route)?.[1];
    const src = /\bsrc (\S+)/.exec(route)?.[1];
    // ipv4's default names its alias (the address's label); ipv6's has none.
    const out: Record<string, unknown> = v6 ? { interface: dev } : { interface: dev, alias: dev };
    if (gw) out['gateway'] = gw;
    if (v6) {
      const a = i?.ipv6?.find((x) => x.address === src) ?? i?.ipv6?.[0];
      if (a) Object.assign(out, a);
    } else {
      const a = [i?.ipv4, ...(i?.ipv4_secondaries ?? [])].find((x) => x?.['address'] === src) ?? i?.ipv4;
      if (a) Object.assign(out, a);
    }
    if (i) Object.assign(out, { macaddress: i.macaddress ?? 'unknown', mtu: i.mtu, type: i.type });
    return out;
  };
  f['ansible_default_ipv4'] = dflt(r4, false);
  f['ansible_default_ipv6'] = dflt(r6, true);
}

function parseHardware(mem: string, cpu: string, mounts: string, df: string, f: Record<string, unknown>): void {
  const m: Record<string, number> = {};
  for (const line of mem.split('\n')) {
    const x = /^(\w+):\s+(\d+)/.exec(line);
    if (x) m[x[1]!] = Number(x[2]);
  }
  const mb = (k: string) => Math.floor((m[k] ?? 0) / 1024);
  Object.assign(f, {
    ansible_memtotal_mb: mb('MemTotal'),
    ansible_memfree_mb: mb('MemFree'),
    ansible_swaptotal_mb: mb('SwapTotal'),
    ansible_swapfree_mb: mb('SwapFree'),
    ansible_memory_mb: {
      real: { total: mb('MemTotal'), free: mb('MemFree'), used: mb('MemTotal') - mb('MemFree') },
      nocache: { free: mb('MemFree') + mb('Buffers') + mb('Cached'), used: mb('MemTotal') - mb('MemFree') - mb('Buffers') - mb('Cached') },
      swap: { total: mb('SwapTotal'), free: mb('SwapFree'), used: mb('SwapTotal') - mb('SwapFree'), cached: mb('SwapCached') },
    },
  });
  const blocks = cpu.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const field = (b: string, k: string) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(b)?.[1];
  const sockets = new Set(blocks.map((b) => field(b, 'physical id') ?? '0'));
  const cores = Number(field(blocks[0] ?? '', 'cpu cores') ?? 1) || 1;
  const vcpus = blocks.length;
  const processor: string[] = [];
  blocks.forEach((b, i) => processor.push(String(i), field(b, 'vendor_id') ?? 'unknown', field(b, 'model name') ?? field(b, 'Processor') ?? 'unknown'));
  Object.assign(f, {
    ansible_processor: processor,
    ansible_processor_count: sockets.size,
    ansible_processor_cores: cores,
    ansible_processor_vcpus: vcpus,
    ansible_processor_nproc: vcpus,
    ansible_processor_threads_per_core: Math.max(1, Math.floor(vcpus / (sockets.size * cores))),
  });
  const sizes = new Map<string, { total: number; avail: number }>();
  for (const line of df.split('\n').slice(1)) {
    const c = line.trim().split(/\s+/);
    if (c.length >= 6) sizes.set(c.slice(5).join(' '), { total: Number(c[1]) * 1024, avail: Number(c[3]) * 1024 });
  }
  const virtual = new Set(['proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'bpf', 'pstore', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'binfmt_misc', 'autofs', 'nsfs', 'devtmpfs', 'rpc_pipefs']);
  const list: Array<Record<string, unknown>> = [];
  for (const line of mounts.split('\n')) {
    const [device, mount, fstype, options] = line.split(' ');
    if (!mount || virtual.has(fstype!)) continue;
    const unesc = (s: string) => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const s = sizes.get(unesc(mount));
    list.push({ mount: unesc(mount), device: unesc(device!), fstype, options, size_total: s?.total ?? 0, size_available: s?.avail ?? 0, block_size: 4096, uuid: 'N/A' });
  }
  f['ansible_mounts'] = list;
}

export const setupModule: ModuleDefinition<Args> = {
  name: 'setup',
  aliases: ['ansible.builtin.setup', 'ansible.legacy.setup', 'gather_facts', 'ansible.builtin.gather_facts', 'ansible.legacy.gather_facts'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const on = subsets(ctx.args.gather_subset);
    let out;
    try {
      const factPath = on.has('local') ? (ctx.args.fact_path ?? '/etc/ansible/facts.d') : '';
      out = await runNodeScript(ctx, shVars({ a_net: on.has('interfaces'), a_hw: on.has('hardware'), a_fp: factPath }) + SCRIPT, undefined, { timeoutMs: ctx.timeoutMs ?? ctx.args.gather_timeout * 1000 + 5000 });
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { failed: true, msg: out.json['msg'] as string };
    const b = (n: string) => out.blobs[n]?.toString('utf8') ?? '';
    const f: Record<string, unknown> = {};
    const os = kv(b('osrel'));
    const id = (os['ID'] ?? 'linux').toLowerCase();
    const likes = (os['ID_LIKE'] ?? '').toLowerCase().split(/\s+/);
    const version = distributionVersion(id, os['VERSION_ID'] ?? '', b('debver'));
    Object.assign(f, {
      ansible_distribution: DIST_NAME[id] ?? os['NAME'] ?? 'Linux',
      ansible_distribution_version: version,
      ansible_distribution_major_version: version.split('.')[0] ?? '',
      ansible_distribution_release: os['VERSION_CODENAME'] ?? '',
      ansible_os_family: OS_FAMILY[id] ?? likes.map((l) => OS_FAMILY[l]).find(Boolean) ?? DIST_NAME[id] ?? 'Linux',
    });
    if (id === 'debian') {
      // Which distribution file ansible-core parsed: os-release, as the Debian variety (other
      // distributions' files are not told apart yet, so nothing is claimed for them).
      if (b('osrel')) Object.assign(f, { ansible_distribution_file_parsed: true, ansible_distribution_file_path: '/etc/os-release', ansible_distribution_file_variety: 'Debian' });
      // The minor version comes from /etc/debian_version (parse_distribution_file_Debian).
      const minor = /(\d+)\.(\d+)/.exec(b('debver'))?.[2];
      if (minor !== undefined) f['ansible_distribution_minor_version'] = minor;
    }
    const [system, kernel, kernelVersion, machine, nodename] = b('uname').split('\n');
    const [hostname, fqdn] = b('host').split('\n');
    const short = (hostname ?? nodename ?? '').split('.')[0]!;
    Object.assign(f, {
      ansible_system: system,
      ansible_kernel: kernel,
      ansible_kernel_version: kernelVersion,
      ansible_machine: machine,
      ansible_architecture: machine,
      ansible_userspace_architecture: machine,
      ansible_nodename: nodename,
      ansible_hostname: short,
      ansible_fqdn: fqdn || nodename,
      ansible_domain: (fqdn ?? '').includes('.') ? fqdn!.slice(fqdn!.indexOf('.') + 1) : '',
    });
    Object.assign(f, securityFacts(kv(b('lsm'))));
    const [uname, uid, gid, home, ruid, rgid, shell, gecos] = b('ids').split('\n');
    Object.assign(f, { ansible_user_id: uname, ansible_user_uid: Number(uid), ansible_user_gid: Number(gid), ansible_user_dir: home, ansible_user_shell: shell ?? '' });
    const [fips, chroot, bits] = b('more').split('\n');
    Object.assign(f, {
      ansible_effective_user_id: Number(uid),
      ansible_effective_group_id: Number(gid),
      ansible_real_user_id: Number(ruid),
      ansible_real_group_id: Number(rgid),
      ansible_user_gecos: gecos ?? '',
      ansible_fips: fips?.trim() === '1',
      ansible_is_chroot: chroot === '1' ? true : chroot === '0' ? false : null,
      ansible_userspace_bits: bits?.trim() ?? '',
    });
    f['ansible_lsb'] = lsbFacts(b('lsb'));
    for (const line of b('sshk').split('\n')) {
      const [algo, keytype, key] = line.trim().split(/\s+/);
      if (!algo || !keytype || !key) continue;
      f[`ansible_ssh_host_key_${algo}_public`] = key;
      f[`ansible_ssh_host_key_${algo}_public_keytype`] = keytype;
    }
    // (The second line, the boot id, is not a fact of ansible-core's.)
    const [machineId, , uptime, pid1, systemdDir, pkg] = b('misc').split('\n');
    Object.assign(f, {
      ansible_machine_id: machineId ?? '',
      ansible_uptime_seconds: Math.floor(Number(uptime) || 0),
      ansible_service_mgr: systemdDir === 'systemd' ? 'systemd' : pid1 === 'systemd' ? 'systemd' : pid1 === 'openrc-init' || pid1 === 'init' ? (pid1 === 'init' ? 'sysvinit' : 'openrc') : pid1 || 'service',
      ansible_pkg_mgr: pkg === 'apt-get' ? 'apt' : pkg || 'unknown',
    });
    const d = b('date').trim().split(' ');
    if (d.length >= 16) {
      const [Y, m, dd, H, M, S, epoch, tz, off, weekday, wdn, wn, , , , ] = d;
      const utc = new Date(Number(epoch) * 1000).toISOString();
      f['ansible_date_time'] = {
        year: Y, month: m, day: dd, hour: H, minute: M, second: S, epoch, epoch_int: epoch, date: `${Y}-${m}-${dd}`, time: `${H}:${M}:${S}`,
        iso8601: utc.replace(/\.\d{3}Z$/, 'Z'), iso8601_basic: `${Y}${m}${dd}T${H}${M}${S}000000`, iso8601_basic_short: `${Y}${m}${dd}T${H}${M}${S}`,
        iso8601_micro: utc.replace(/\.(\d{3})Z$/, '.$1000Z'), tz, tz_dst: tz, tz_offset: off, weekday, weekday_number: wdn, weeknumber: wn,
      };
    }
    const py = b('py').trim().split('\n');
    if (py.length === 2 && py[1]) {
      const [major, minor, micro, releaselevel, serial] = py[1].split(' ');
      const version = { major: Number(major), minor: Number(minor), micro: Number(micro), releaselevel, serial: Number(serial) };
      f['ansible_python'] = { executable: py[0], has_sslcontext: true, type: 'cpython', version, version_info: [version.major, version.minor, version.micro, releaselevel, version.serial] };
      f['ansible_python_version'] = `${major}.${minor}.${micro}`;
    }
    const env: Record<string, string> = {};
    let last: string | undefined;
    for (const line of b('env').split('\n')) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(line);
      if (m) env[(last = m[1]!)] = m[2]!.replace(/\x01/g, '\n');
      else if (last && line) env[last] += '\n' + line;
    }
    // With become, sudo records the command it ran: philote's own script. Keep only the shell.
    if (env['SUDO_COMMAND']?.startsWith('/bin/sh -c ')) env['SUDO_COMMAND'] = '/bin/sh';
    f['ansible_env'] = env;
    const resolv = b('resolv');
    const ns = [...resolv.matchAll(/^nameserver\s+(\S+)/gm)].map((x) => x[1]!);
    const search = /^search\s+(.*)$/m.exec(resolv)?.[1]?.trim().split(/\s+/);
    f['ansible_dns'] = { ...(ns.length ? { nameservers: ns } : {}), ...(search ? { search } : {}) };
    const cmdline: Record<string, string | boolean> = {};
    for (const tok of b('cmdline').trim().split(/\s+/).filter(Boolean)) {
      const i = tok.indexOf('=');
      cmdline[i < 0 ? tok : tok.slice(0, i)] = i < 0 ? true : tok.slice(i + 1);
    }
    f['ansible_cmdline'] = cmdline;
    // proc_cmdline keeps every value of a key given more than once, as a list.
    const procCmdline: Record<string, unknown> = {};
    for (const tok of b('cmdline').trim().split(/\s+/).filter(Boolean)) {
      const i = tok.indexOf('=');
      const [k, v] = i < 0 ? [tok, true] : [tok.slice(0, i), tok.slice(i + 1)];
      if (!(k in procCmdline)) procCmdline[k] = v;
      else procCmdline[k] = Array.isArray(procCmdline[k]) ? [...(procCmdline[k] as unknown[]), v] : [procCmdline[k], v];
    }
    f['ansible_proc_cmdline'] = procCmdline;
    if (on.has('local')) f['ansible_local'] = localFacts(out.blobs, (m) => ctx.warn(m));
    if (on.has('interfaces')) parseNetwork(b('link'), b('addr'), b('r4'), b('r6'), b('sysnet'), f);
    if (on.has('hardware')) {
      parseHardware(b('mem'), b('cpu'), b('mounts'), b('df'), f);
      const [l1, l5, l15] = b('loadavg').trim().split(/\s+/).map(Number);
      if (l1 !== undefined && !Number.isNaN(l1)) f['ansible_loadavg'] = { '1m': l1, '5m': l5, '15m': l15 };
      Object.assign(f, dmiFacts(kv(b('dmi'))));
    }
    // The collector's own facts are facts too: a filter keeps them only where it names them.
    f['gather_subset'] = ctx.args.gather_subset;
    f['module_setup'] = true;
    if (ctx.args.filter.length) {
      const res = ctx.args.filter.map((g) => new RegExp('^' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$'));
      for (const k of Object.keys(f)) if (!res.some((r) => r.test(k))) delete f[k];
    }
    return { changed: false, ansible_facts: f };
  },
};

/** The lsb collector's markers: the first one a line holds names its fact (an elif chain). */
const LSB_RELEASE_LINES: Array<[string, string]> = [['LSB Version:', 'release'], ['Distributor ID:', 'id'], ['Description:', 'description'], ['Release:', 'release'], ['Codename:', 'codename']];
const LSB_RELEASE_FILE: Array<[string, string]> = [['DISTRIB_ID', 'id'], ['DISTRIB_RELEASE', 'release'], ['DISTRIB_DESCRIPTION', 'description'], ['DISTRIB_CODENAME', 'codename']];

function lsbPairs(text: string, sep: string, markers: Array<[string, string]>): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.includes(sep)) continue;
    const hit = markers.find(([marker]) => line.includes(marker));
    if (hit) facts[hit[1]] = line.slice(line.indexOf(sep) + 1).trim();
  }
  return facts;
}

/** The lsb collector: `lsb_release -a`'s lines, else /etc/lsb-release's DISTRIB_* keys. */
function lsbFacts(text: string): Record<string, string> {
  const [bin = '', file = ''] = text.split('---philote---\n');
  let facts = lsbPairs(bin, ':', LSB_RELEASE_LINES);
  if (!Object.keys(facts).length) facts = lsbPairs(file, '=', LSB_RELEASE_FILE);
  if (facts['release'] !== undefined) facts['major_release'] = facts['release'].split('.')[0]!;
  // STRIP_QUOTES: quotes and backslashes off both ends.
  for (const [k, v] of Object.entries(facts)) if (v) facts[k] = v.replace(/^['"\\]+|['"\\]+$/g, '');
  return facts;
}

/** The hardware collector's DMI facts: each file's text, 'NA' where there is none. */
const FORM_FACTOR = ['Unknown', 'Other', 'Unknown', 'Desktop', 'Low Profile Desktop', 'Pizza Box', 'Mini Tower', 'Tower', 'Portable', 'Laptop', 'Notebook', 'Hand Held', 'Docking Station', 'All In One', 'Sub Notebook', 'Space-saving', 'Lunch Box', 'Main System Chassis', 'Expansion Chassis', 'Sub Chassis', 'Bus Expansion Chassis', 'Peripheral Chassis', 'RAID Chassis', 'Rack Mount Chassis', 'Sealed-case PC', 'Multi-system', 'CompactPCI', 'AdvancedTCA', 'Blade', 'Blade Enclosure', 'Tablet', 'Convertible', 'Detachable', 'IoT Gateway', 'Embedded PC', 'Mini PC', 'Stick PC'];

function dmiFacts(dmi: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names: Record<string, string> = {
    bios_date: 'bios_date', bios_vendor: 'bios_vendor', bios_version: 'bios_version', board_asset_tag: 'board_asset_tag', board_name: 'board_name',
    board_serial: 'board_serial', board_vendor: 'board_vendor', board_version: 'board_version', chassis_asset_tag: 'chassis_asset_tag',
    chassis_serial: 'chassis_serial', chassis_vendor: 'chassis_vendor', chassis_version: 'chassis_version', product_name: 'product_name',
    product_serial: 'product_serial', product_uuid: 'product_uuid', product_version: 'product_version', system_vendor: 'sys_vendor',
  };
  for (const [fact, file] of Object.entries(names)) out[`ansible_${fact}`] = dmi[file] ?? 'NA';
  const type = dmi['chassis_type'];
  out['ansible_form_factor'] = type === undefined ? 'NA' : (FORM_FACTOR[Number(type)] ?? `unknown (${type})`);
  return out;
}

/**
 * ansible_local as the local collector builds it: one key per fact file (its name without
 * ".fact"), the script's output or the file's text read as JSON (Python's json), else as INI
 * (Python's configparser: sections of options, [DEFAULT] and %-interpolation included); what
 * cannot be read becomes the collector's message, with a warning.
 */
function localFacts(blobs: Record<string, Buffer | undefined>, warn: (m: string) => void): Record<string, unknown> {
  const local: Record<string, unknown> = {};
  for (const line of (blobs['lfidx']?.toString('utf8') ?? '').split('\n')) {
    const m = /^(\d+)\t([xfs])\t(-?\d+)\t(.*)$/.exec(line);
    if (!m) continue;
    const [, i, kind, rc, fn] = m as unknown as [string, string, string, string, string];
    const base = fn.slice(fn.lastIndexOf('/') + 1).replaceAll('.fact', '');
    const fail = (msg: string) => {
      local[base] = msg;
      warn(msg);
    };
    if (kind === 's') {
      fail(`Could not stat fact (${fn})`);
      continue;
    }
    if (kind === 'x' && rc !== '0') {
      fail(`Failure executing fact script (${fn}), rc: ${rc}, err: ${blobs[`lfe${i}`]?.toString('utf8') ?? ''}`);
      continue;
    }
    let out: string;
    try {
      out = new TextDecoder('utf-8', { fatal: true }).decode(blobs[`lf${i}`] ?? Buffer.alloc(0));
    } catch {
      fail(`error loading fact - output of running "${fn}" was not utf-8`);
      continue;
    }
    if (pythonJsonError(out) === undefined) {
      try {
        local[base] = JSON.parse(out) as unknown;
        continue;
      } catch {
        /* NaN or Infinity, which Python reads: fall through to INI as JSON.parse cannot */
      }
    }
    const cp = new PyConfigParser();
    try {
      cp.read(out);
    } catch (e) {
      if (!(e instanceof ConfigParserError)) throw e;
      fail(`error loading facts as JSON or ini - please check content: ${fn}`);
      continue;
    }
    try {
      // cp.options() and cp.get() of each: items() gives both, interpolated ([DEFAULT] included).
      const fact: Record<string, Record<string, string>> = {};
      for (const sect of cp.sections.keys()) fact[sect] = Object.fromEntries(cp.items(sect));
      local[base] = fact;
    } catch (e) {
      fail(`Failed to convert (${fn}) to JSON: ${(e as Error).message}`);
    }
  }
  return local;
}

/**
 * ansible_apparmor and ansible_selinux (the selinux and apparmor collectors, part of 'min').
 * philote reads SELinux's state from the kernel and its config file, so it needs no Python
 * library: ansible_selinux_python_present is always true.
 */
function securityFacts(lsm: Record<string, string>): Record<string, unknown> {
  const selinux: Record<string, unknown> = { status: 'disabled' };
  if (lsm['se_enforce'] !== undefined) {
    selinux['status'] = 'enabled';
    if (lsm['se_vers'] !== undefined) selinux['policyvers'] = Number(lsm['se_vers']);
    selinux['config_mode'] = (lsm['SELINUX'] ?? 'unknown').toLowerCase();
    selinux['mode'] = lsm['se_enforce'] === '1' ? 'enforcing' : 'permissive';
    selinux['type'] = lsm['SELINUXTYPE'] ?? 'unknown';
  }
  return { ansible_apparmor: { status: lsm['aa'] ? 'enabled' : 'disabled' }, ansible_selinux: selinux, ansible_selinux_python_present: true };
}
