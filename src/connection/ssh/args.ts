/**
 * Parses the OpenSSH flags users put in ansible_ssh_common_args / ansible_ssh_extra_args
 * (-o Key=Value, -i, -p, -J, -l, -F). Unknown flags are ignored, as Ansible passes them to ssh.
 */
export interface SshArgOptions {
  /** -o options, keys lower-cased (OpenSSH keywords are case-insensitive). */
  options: Record<string, string>;
  identityFiles: string[];
  port?: number;
  proxyJump?: string;
  user?: string;
  configFile?: string;
}

/** Splits a command-line string like a POSIX shell would (quotes and backslashes). */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q === "'") {
      if (c === "'") q = undefined;
      else cur += c;
    } else if (q === '"') {
      if (c === '"') q = undefined;
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

export function parseSshArgs(args: string | undefined): SshArgOptions {
  const res: SshArgOptions = { options: {}, identityFiles: [] };
  if (!args) return res;
  const words = shellSplit(args);
  const takesValue = new Set(['o', 'i', 'p', 'J', 'l', 'F', 'b', 'c', 'D', 'E', 'e', 'I', 'L', 'm', 'O', 'Q', 'R', 'S', 'W', 'w', 'B']);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-') || w.length < 2) continue;
    const flag = w[1]!;
    if (!takesValue.has(flag)) continue;
    const value = w.length > 2 ? w.slice(2) : words[++i];
    if (value === undefined) break;
    switch (flag) {
      case 'o': {
        const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(value);
        if (m) {
          const key = m[1]!.toLowerCase();
          const v = m[2]!.trim();
          // OpenSSH: the first value given wins.
          if (!(key in res.options)) res.options[key] = v;
          if (key === 'identityfile') res.identityFiles.push(v);
        }
        break;
      }
      case 'i':
        res.identityFiles.push(value);
        break;
      case 'p':
        res.port = Number(value);
        break;
      case 'J':
        res.proxyJump = value;
        break;
      case 'l':
        res.user = value;
        break;
      case 'F':
        res.configFile = value;
        break;
    }
  }
  return res;
}
