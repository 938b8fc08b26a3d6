/**
 * `need_bin NAME` for node scripts: Ansible's get_bin_path, so a module whose command is missing
 * fails in Ansible's words. It looks in PATH, then /sbin, /usr/sbin and /usr/local/sbin (those
 * that exist and are not in PATH yet, appended in that order), sets $bin to the first executable
 * found, else prints the failed result and ends the script. NAME may be an absolute path.
 */
export const NEED_BIN = String.raw`
need_bin() {
  _pp=$PATH
  for _d in /sbin /usr/sbin /usr/local/sbin; do case ":$PATH:" in *":$_d:"*) ;; *) [ -e "$_d" ] && _pp="$_pp:$_d" ;; esac; done
  bin=
  case $1 in
    /*) [ -f "$1" ] && [ -x "$1" ] && bin=$1 ;;
    *) _o=$IFS; IFS=:; for _d in $_pp; do [ -n "$_d" ] && [ -f "$_d/$1" ] && [ -x "$_d/$1" ] && { bin=$_d/$1; break; }; done; IFS=$_o ;;
  esac
  [ -n "$bin" ] || fail "Failed to find required executable \"$1\" in paths: $_pp"
}
`;
