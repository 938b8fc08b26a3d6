/**
 * The lab's stand-in for systemctl on a K3s lab node (installed as /usr/local/bin/systemctl in the
 * node's private /usr/local, so it comes before /usr/bin on every PATH, sudo's secure_path too).
 * A lab node has no systemd; the units the lab simulates are those with a unit file under
 * /etc/systemd/system (k3s on the server, k3s-agent on the others). Start, stop and restart are
 * requests to the lab daemon (k3s-service.ts), which does what the unit's process would do and
 * answers; this script waits for the answer, as systemctl waits for a Type=notify unit.
 * Enough of systemctl for Ansible's systemd/service modules and philote's: show, is-active,
 * is-enabled, list-unit-files, start, stop, restart, try-restart, reload, daemon-reload, enable.
 */
export const SYSTEMCTL_STANDIN = `#!/bin/sh
# Lab stand-in for systemctl (philote src/lab/netns/k3s-service.ts): only the lab's K3s units.
D=/run/lab/units
args=
for a in "$@"; do case "$a" in --no-pager|--no-block|-q|--quiet|--system|--no-legend|--plain|--force|--no-ask-password) ;; *) args="$args $a" ;; esac; done
set -- $args
cmd=$1; shift 2>/dev/null
u=\${1%.service}
known() { [ -n "$u" ] && [ -f "/etc/systemd/system/$u.service" ]; }
state() { cat "$D/$u.state" 2>/dev/null || echo inactive; }
ask() {
  mkdir -p "$D"
  tok="$(date +%s%N)-$$"
  rm -f "$D/$u.done"
  printf '%s %s\\n' "$1" "$tok" > "$D/.$u.request.$$" && mv "$D/.$u.request.$$" "$D/$u.request"
  i=0
  while [ $i -lt 600 ]; do
    if [ -f "$D/$u.done" ]; then
      read -r rc t msg < "$D/$u.done"
      if [ "$t" = "$tok" ]; then
        [ "$rc" = 0 ] && exit 0
        echo "Job for $u.service failed because the control process exited with error code. $msg" >&2; exit 1
      fi
    fi
    sleep 0.1; i=$((i + 1))
  done
  echo "Job for $u.service timed out (the lab daemon did not answer)." >&2; exit 1
}
case "$cmd" in
  show)
    if known; then
      st=$(state); sub=running; [ "$st" = active ] || sub=dead
      since=$(cat "$D/$u.since" 2>/dev/null)
      printf 'Type=notify\\nId=%s.service\\nNames=%s.service\\nDescription=Lightweight Kubernetes\\nLoadState=loaded\\nActiveState=%s\\nSubState=%s\\nUnitFileState=enabled\\nFragmentPath=/etc/systemd/system/%s.service\\nExecMainStartTimestamp=%s\\n' "$u" "$u" "$st" "$sub" "$u" "$since"
    else
      printf 'Id=%s.service\\nNames=%s.service\\nLoadState=not-found\\nActiveState=inactive\\nSubState=dead\\nUnitFileState=\\n' "$u" "$u"
    fi ;;
  is-active) st=$(state); echo "$st"; [ "$st" = active ] ;;
  is-enabled) if known; then echo enabled; else echo "Failed to get unit file state for $u.service: No such file or directory" >&2; exit 1; fi ;;
  list-unit-files)
    if known; then printf 'UNIT FILE            STATE   VENDOR PRESET\\n%s.service enabled enabled\\n\\n1 unit files listed.\\n' "$u"; else printf '0 unit files listed.\\n'; exit 1; fi ;;
  start|stop|restart|try-restart|reload|reload-or-restart)
    known || { echo "Failed to $cmd $u.service: Unit $u.service not found." >&2; exit 5; }
    ask "$cmd" ;;
  daemon-reload|daemon-reexec|enable|disable) exit 0 ;;
  *) echo "lab systemctl: '$cmd' is not simulated (only the lab's K3s units are)" >&2; exit 1 ;;
esac
`;
