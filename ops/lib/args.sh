# Sourced by ops/bench-cluster.sh, ops/bench-restart.sh and ops/bench-targets.sh: argument checks
# that name the setting at fault, the value given and what it must be, and exit 2.
#
# require_positive WHO NAME VALUE [DIGITS]: VALUE is a positive integer of at most DIGITS (5) digits.
# require_seconds WHO NAME VALUE: VALUE is whole seconds, 0-99999.
require_positive() {
  local digits="${4:-5}"
  local pattern="^[1-9][0-9]{0,$((digits - 1))}$"
  [[ "$3" =~ $pattern ]] || { echo "$1: $2 must be a positive integer of at most $digits digits, was '$3'" >&2; exit 2; }
}
require_seconds() {
  [[ "$3" =~ ^[0-9]{1,5}$ ]] || { echo "$1: $2 must be whole seconds (0-99999), was '$3'" >&2; exit 2; }
}
