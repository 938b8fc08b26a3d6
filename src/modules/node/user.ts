/**
 * user and group (ansible.builtin.user, ansible.builtin.group): local accounts through
 * useradd/usermod/userdel and groupadd/groupmod/groupdel, reading getent first so only what
 * differs changes.
 *
 * user arguments: name, state present|absent, uid, group, groups (list) with append, shell, home,
 * create_home (alias createhome, default true), system, comment, password (an already hashed
 * value), update_password always|on_create, remove (with absent), move_home.   `name: k3s-admin`
 * group arguments: name, state present|absent, gid, system.
 *
 * Returns as Ansible: name, state, uid, group, groups, home, shell, comment, system, create_home
 * (user); name, state, gid, system (group).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str, strList } from './args.js';
import { argError, moduleFailure, q, runNodeScript, shVars } from './script.js';

const userSchema = z
  .object({
    name: str,
    state: z.enum(['present', 'absent']).default('present'),
    uid: int.optional(),
    group: str.optional(),
    groups: strList.optional(),
    append: bool.default(false),
    shell: str.optional(),
    home: str.optional(),
    create_home: bool.optional(),
    createhome: bool.optional(),
    system: bool.default(false),
    comment: str.optional(),
    password: str.optional(),
    update_password: z.enum(['always', 'on_create']).default('always'),
    remove: bool.default(false),
    move_home: bool.default(false),
    force: bool.default(false),
  })
  .strict();
type UserArgs = z.infer<typeof userSchema>;

const USER_SCRIPT = String.raw`
for c in useradd usermod userdel getent; do command -v $c >/dev/null 2>&1 || fail "$c was not found on the node"; done
# The password hash goes to chpasswd on a pipe from the printf builtin: never in a command line
# (useradd/usermod -p would show it in ps on the node for the whole call).
setpw() { [ -n "$a_check" ] && return 0; out=$(printf '%s:%s\n' "$a_name" "$a_password" | chpasswd -e 2>&1) || fail "chpasswd: $out"; }
[ -z "$a_password" ] || command -v chpasswd >/dev/null 2>&1 || fail "chpasswd was not found on the node"
ent=$(getent passwd "$a_name"); ch=
if [ "$a_state" = absent ]; then
  if [ -n "$ent" ]; then ch=1; [ -n "$a_check" ] || { out=$(eval "userdel $a_delopts \"\$a_name\"" 2>&1) || fail "userdel: $out"; }; fi
elif [ -z "$ent" ]; then
  ch=1; [ -n "$a_check" ] || { out=$(eval "useradd $a_addopts \"\$a_name\"" 2>&1) || fail "useradd: $out"; }
  [ -z "$a_password" ] || setpw
else
  IFS=: read -r _n _x cuid cgid ccom chome cshell <<EOF_ENT
$ent
EOF_ENT
  mod=; newpw=
  [ -n "$a_uid" ] && [ "$a_uid" != "$cuid" ] && mod="$mod -u $a_uid"
  if [ -n "$a_group" ]; then g=$(getent group "$a_group" | cut -d: -f3); [ -n "$g" ] || fail "Group $a_group does not exist"; [ "$g" != "$cgid" ] && mod="$mod -g $a_group"; fi
  [ -n "$a_shell" ] && [ "$a_shell" != "$cshell" ] && mod="$mod -s '$a_shell'"
  [ -n "$a_home" ] && [ "$a_home" != "$chome" ] && { mod="$mod -d '$a_home'"; [ -n "$a_movehome" ] && mod="$mod -m"; }
  [ -n "$a_comment_set" ] && [ "$a_comment" != "$ccom" ] && mod="$mod -c \"\$a_comment\""
  if [ -n "$a_groups_set" ]; then
    cur=$(id -Gn "$a_name" 2>/dev/null | tr ' ' '\n' | grep -vx "$(id -gn "$a_name")" | sort | tr '\n' ,)
    want=$(printf '%s' "$a_groups" | tr , '\n' | grep -v '^$' | sort | tr '\n' ,)
    if [ -n "$a_append" ]; then
      for g in $(printf '%s' "$a_groups" | tr , ' '); do case ",$cur" in *",$g,"*) ;; *) mod="$mod -a -G '$a_groups'"; break ;; esac; done
    elif [ "$cur" != "$want" ]; then mod="$mod -G '$a_groups'"; fi
  fi
  if [ -n "$a_password" ] && [ "$a_update_pw" = always ]; then
    cur=$(getent shadow "$a_name" | cut -d: -f2); [ "$cur" != "$a_password" ] && newpw=1
  fi
  if [ -n "$mod" ]; then ch=1; [ -n "$a_check" ] || { out=$(eval "usermod $mod \"\$a_name\"" 2>&1) || fail "usermod: $out"; }; fi
  [ -n "$newpw" ] && { ch=1; setpw; }
fi
ent=$(getent passwd "$a_name")
printf '{"changed":%s,"ent":%s,"groups":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )" "$(js "$ent")" "$(js "$(id -Gn "$a_name" 2>/dev/null)")"
`;

export const userModule: ModuleDefinition<UserArgs> = {
  name: 'user',
  aliases: ['ansible.builtin.user', 'ansible.legacy.user'],
  runsOn: 'node',
  schema: userSchema,
  async run(ctx) {
    const a = ctx.args;
    if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(a.name)) throw argError(`user: '${a.name}' is not a valid user name`);
    const createHome = a.create_home ?? a.createhome ?? true;
    const add: string[] = [];
    if (a.uid !== undefined) add.push('-u', String(a.uid));
    if (a.group) add.push('-g', q(a.group));
    if (a.groups?.length) add.push('-G', q(a.groups.join(',')));
    if (a.shell) add.push('-s', q(a.shell));
    if (a.home) add.push('-d', q(a.home));
    if (a.comment !== undefined) add.push('-c', q(a.comment));
    if (a.system) add.push('-r');
    add.push(createHome && !a.system ? '-m' : '-M');
    const del = [...(a.remove ? ['-r'] : []), ...(a.force ? ['-f'] : [])];
    try {
      const out = await runNodeScript(
        ctx,
        shVars({
          a_name: a.name,
          a_state: a.state,
          a_addopts: add.join(' '),
          a_delopts: del.join(' '),
          a_uid: a.uid ?? '',
          a_group: a.group ?? '',
          a_shell: a.shell ?? '',
          a_home: a.home ?? '',
          a_movehome: a.move_home,
          a_comment_set: a.comment !== undefined,
          a_comment: a.comment ?? '',
          a_groups_set: a.groups !== undefined,
          a_groups: (a.groups ?? []).join(','),
          a_append: a.append,
          a_password: a.password ?? '',
          a_update_pw: a.update_password,
          a_check: ctx.checkMode,
        }) + USER_SCRIPT,
        undefined,
        { secret: Boolean(a.password) },
      );
      const j = out.json;
      if (j['failed']) return { failed: true, changed: false, name: a.name, msg: String(j['msg']) };
      const changed = j['changed'] === true;
      if (a.state === 'absent') return { changed, name: a.name, state: 'absent', force: a.force, remove: a.remove };
      const [, , uid, gid, comment, home, shell] = String(j['ent']).split(':');
      return {
        changed,
        name: a.name,
        state: 'present',
        uid: uid ? Number(uid) : a.uid,
        group: gid ? Number(gid) : undefined,
        groups: a.groups?.join(','),
        home: home ?? a.home,
        shell: shell ?? a.shell,
        comment: comment ?? a.comment,
        system: a.system,
        create_home: createHome,
      };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};

const groupSchema = z
  .object({
    name: str,
    state: z.enum(['present', 'absent']).default('present'),
    gid: int.optional(),
    system: bool.default(false),
    force: bool.default(false),
    // -o: a gid another group has already (required_if: gid).
    non_unique: bool.default(false),
    // libuser's lgroupadd/lgroupmod/lgroupdel: the local files even where NSS has other sources.
    local: bool.default(false),
  })
  .strict();
type GroupArgs = z.infer<typeof groupSchema>;

const GROUP_SCRIPT = String.raw`
ent=$(getent group "$a_name"); ch=
if [ "$a_state" = absent ]; then
  if [ -n "$ent" ]; then ch=1; [ -n "$a_check" ] || { out=$(${'$'}{a_l}groupdel "$a_name" 2>&1) || fail "${'$'}{a_l}groupdel: $out"; }; fi
elif [ -z "$ent" ]; then
  ch=1; [ -n "$a_check" ] || { out=$(eval "${'$'}{a_l}groupadd $a_addopts \"\$a_name\"" 2>&1) || fail "${'$'}{a_l}groupadd: $out"; }
elif [ -n "$a_gid" ] && [ "$(printf '%s' "$ent" | cut -d: -f3)" != "$a_gid" ]; then
  ch=1; [ -n "$a_check" ] || { out=$(${'$'}{a_l}groupmod $a_o -g "$a_gid" "$a_name" 2>&1) || fail "${'$'}{a_l}groupmod: $out"; }
fi
printf '{"changed":%s,"gid":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )" "$(getent group "$a_name" | cut -d: -f3 | grep . || echo null)"
`;

export const groupModule: ModuleDefinition<GroupArgs> = {
  name: 'group',
  aliases: ['ansible.builtin.group', 'ansible.legacy.group'],
  runsOn: 'node',
  schema: groupSchema,
  async run(ctx) {
    const a = ctx.args;
    if (!/^[a-z_][a-z0-9_.-]*$/i.test(a.name)) throw argError(`group: '${a.name}' is not a valid group name`);
    if (a.non_unique && a.gid === undefined) return { failed: true, changed: false, msg: 'non_unique is True but all of the following are missing: gid' };
    const o = a.non_unique ? ['-o'] : [];
    const add = [...(a.gid !== undefined ? [...o, '-g', String(a.gid)] : []), ...(a.system ? ['-r'] : [])];
    try {
      const out = await runNodeScript(ctx, shVars({ a_name: a.name, a_state: a.state, a_gid: a.gid ?? '', a_addopts: add.join(' '), a_o: o.join(' '), a_l: a.local ? 'l' : '', a_check: ctx.checkMode }) + GROUP_SCRIPT);
      const j = out.json;
      if (j['failed']) return { failed: true, changed: false, name: a.name, msg: String(j['msg']) };
      return { changed: j['changed'] === true, name: a.name, state: a.state, ...(a.state === 'present' ? { gid: (j['gid'] as number | null) ?? a.gid, system: a.system } : {}) };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
