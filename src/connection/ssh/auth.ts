/**
 * Authentication methods for one target, in OpenSSH's order: public keys (identity files,
 * encrypted ones unlocked by PHILOTE_SSH_KEY_PASSPHRASE or a TTY prompt), the agent
 * (SSH_AUTH_SOCK), then the password (ansible_password).
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import ssh2, { type AnyAuthMethod, type ParsedKey } from 'ssh2';

// ssh2 is CommonJS: its named exports are only reachable through the default import under ESM.
const { utils } = ssh2;
import { UnreachableError } from '../../errors.js';
import type { SshTarget } from './target.js';

const parsedKeys = new Map<string, Promise<ParsedKey | undefined>>();
/** Prompts are serialised: 32 hosts sharing one encrypted key ask once. */
let promptChain: Promise<unknown> = Promise.resolve();

function isEncryptedError(e: Error): boolean {
  return /encrypted|passphrase/i.test(e.message);
}

async function promptPassphrase(file: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const ask = () =>
    new Promise<string>((resolve) => {
      let muted = false;
      const out = new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (!muted) process.stderr.write(chunk);
          cb();
        },
      });
      const rl = createInterface({ input: process.stdin, output: out, terminal: true });
      rl.question(`Enter passphrase for key '${file}': `, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  const p = promptChain.then(ask, ask);
  promptChain = p;
  return p;
}

async function loadKey(file: string, explicit: boolean): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    if (explicit) throw new UnreachableError(`cannot read private key ${file}: ${(e as Error).message}`, { cause: e });
    return undefined;
  }
  const plain = utils.parseKey(data);
  if (!(plain instanceof Error)) return plain;
  if (!isEncryptedError(plain)) throw new UnreachableError(`cannot parse private key ${file}: ${plain.message}`);
  const passphrase = process.env.PHILOTE_SSH_KEY_PASSPHRASE ?? (await promptPassphrase(file));
  if (passphrase === undefined) {
    throw new UnreachableError(
      `private key ${file} is encrypted and no passphrase is available: set PHILOTE_SSH_KEY_PASSPHRASE, run from a terminal, or load the key into ssh-agent (ssh-add)`,
    );
  }
  const unlocked = utils.parseKey(data, passphrase);
  if (unlocked instanceof Error) throw new UnreachableError(`cannot decrypt private key ${file}: wrong passphrase? (${unlocked.message})`);
  return unlocked;
}

function cachedKey(file: string, explicit: boolean): Promise<ParsedKey | undefined> {
  let p = parsedKeys.get(file);
  if (!p) {
    p = loadKey(file, explicit);
    parsedKeys.set(file, p);
    p.catch(() => parsedKeys.delete(file));
  }
  return p;
}

export async function authMethods(t: SshTarget): Promise<AnyAuthMethod[]> {
  const methods: AnyAuthMethod[] = [];
  const agent = process.env.SSH_AUTH_SOCK;
  let keyError: unknown;
  for (const f of t.identityFiles) {
    try {
      const key = await cachedKey(f, t.explicitIdentity);
      if (key) methods.push({ type: 'publickey', username: t.user, key });
    } catch (e) {
      // An encrypted key is no dead end when the agent or a password can still log in.
      keyError = e;
    }
  }
  if (agent) methods.push({ type: 'agent', username: t.user, agent });
  if (t.password !== undefined) {
    methods.push({ type: 'password', username: t.user, password: t.password });
    methods.push({
      type: 'keyboard-interactive',
      username: t.user,
      prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => t.password ?? '')),
    });
  }
  if (methods.length === 0) {
    if (keyError) throw keyError;
    throw new UnreachableError(`no way to log in to ${t.host} as ${t.user}: no private key found, no SSH_AUTH_SOCK agent and no password`);
  }
  return methods;
}
