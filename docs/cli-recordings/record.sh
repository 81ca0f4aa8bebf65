#!/usr/bin/env bash
# Records a crm command as a user sees it: runs it in a 110x46 tmux terminal (a clean environment
# with .venv/bin on PATH, CRM_URL and CRM_CONFIG_DIR passed through), answers a [y/N] prompt with
# ANSWER if given, and writes OUT (a frame while it runs, then the whole screen at the end).
#   docs/cli-recordings/record.sh OUT "crm demo-data" [ANSWER]
# Needs tmux and a running system (make run); run it from this folder.
set -euo pipefail
out=$1; command=$2; answer=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
venv_bin=$(cd "$here/../../.venv/bin" && pwd)
frames=$(mktemp -d)
session=crm-record-$$
tmux new-session -d -s "$session" -x 110 -y 46 "env -i HOME=$HOME TERM=xterm-256color PATH=$venv_bin:/usr/bin:/bin \
  CRM_URL=${CRM_URL:-http://localhost:8000} CRM_CONFIG_DIR=${CRM_CONFIG_DIR:-$HOME/.config/crm} bash --norc --noprofile"
sleep 0.5
tmux send-keys -t "$session" "PS1='\$ '; cd $here; clear" Enter
sleep 0.5
tmux send-keys -t "$session" "$command" Enter
for i in $(seq -w 1 600); do  # at most 5 minutes
  sleep 0.5
  tmux capture-pane -t "$session" -p > "$frames/$i"
  if [ -n "$answer" ] && grep -q '\[y/N\]:' "$frames/$i"; then
    sleep 1; tmux send-keys -t "$session" "$answer" Enter; answer=""
  fi
  [ "$(grep -v '^$' "$frames/$i" | tail -1)" = '$' ] && [ "$i" -gt 2 ] && break
done
tmux capture-pane -t "$session" -p -S - > "$frames/final"
tmux kill-session -t "$session"
# the frame halfway through the run shows the progress bars moving
middle=$(ls "$frames" | grep -v final | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
{
  echo "# \`$command\` in a 110x46 terminal (tmux capture-pane; docs/cli-recordings/record.sh)"
  echo "# --- while it runs ---"
  grep -v '^$' "$frames/$middle"
  echo "# --- at the end ---"
  grep -v '^$' "$frames/final"
} > "$out"
rm -r "$frames"
