#!/usr/bin/env bash
# The GitHub Action's shell steps (action.yml runs `bash ci/action.sh STEP`): prepare, install,
# scan, verdict. Every input arrives in an LG_* environment variable, never spliced into a
# script's text. Outputs go to $GITHUB_OUTPUT, the Markdown report to $GITHUB_STEP_SUMMARY;
# reports are written under $RUNNER_TEMP/linkguard, never into the checkout.
set -euo pipefail

venv="$RUNNER_TEMP/linkguard-venv"
reports="$RUNNER_TEMP/linkguard"
requirements="$GITHUB_ACTION_PATH/ci/action-requirements.txt"
summary_limit=1000000 # GitHub shows a step summary of up to 1 MiB

fail() { # a configuration error: say what and how to fix it, record exit code 2, stop
  echo "linkguard: error: $1" >&2
  echo "  tip: $2" >&2
  echo "exit-code=2" >>"$GITHUB_OUTPUT"
  exit 2
}

boolean() { # the value of a true/false input, or a clear error
  case "$2" in
    true | false) ;;
    *) fail "$1 must be true or false, not '$2'" "write $1: true" ;;
  esac
}

prepare() { # a virtual environment of its own, so nothing leaks into the job's Python
  "$LG_PYTHON" -m venv "$venv"
  local cache
  cache=$("$venv/bin/python" -m pip cache dir 2>/dev/null) || cache="$HOME/.cache/pip"
  echo "pip-cache=$cache" >>"$GITHUB_OUTPUT"
  echo "requirements-hash=$("$venv/bin/python" -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$requirements")" >>"$GITHUB_OUTPUT"
}

install() { # linkguard from this action's checkout (the PyPI name is another project's)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --constraint "$requirements" "$GITHUB_ACTION_PATH"
}

base_file() { # base_file PATH DEST: PATH as the base branch has it, into DEST
  git show "$base:./${1#./}" >"$2" 2>/dev/null
}

trusted_policy() { # the policy (and baseline) of the pull request's base branch
  [ -n "$LG_BASE_REF" ] || fail "trusted-config: base needs a pull request (github.base_ref is empty)" \
    "run the job on pull_request, or use trusted-config: head"
  base="refs/remotes/origin/$LG_BASE_REF"
  git rev-parse --verify --quiet "$base^{commit}" >/dev/null ||
    git fetch --quiet --no-tags --depth=1 origin "+refs/heads/$LG_BASE_REF:$base" ||
    fail "cannot fetch the base branch $LG_BASE_REF" "check out with fetch-depth: 0"
  local trusted="$RUNNER_TEMP/linkguard-base"
  mkdir -p "$trusted"
  if [ -n "$LG_CONFIG" ]; then
    config="$trusted/$(basename "$LG_CONFIG")"
    base_file "$LG_CONFIG" "$config" ||
      fail "$LG_CONFIG is not on the base branch $LG_BASE_REF" \
        "merge the policy first (with trusted-config: head), then judge pull requests by it"
  else # discovery as linkguard does it, on the base branch's tree
    config=""
    local folder="${LG_TEMPLATES:-$LG_TARGET}" candidate
    for candidate in "${folder:+$folder/}linkguard.toml" linkguard.toml pyproject.toml; do
      if base_file "$candidate" "$trusted/$(basename "$candidate")"; then
        if [ "$(basename "$candidate")" != pyproject.toml ] ||
          grep -q '^\[tool\.linkguard' "$trusted/pyproject.toml"; then
          config="$trusted/$(basename "$candidate")"
          break
        fi
      fi
    done
    [ -n "$config" ] || fail "no policy on the base branch $LG_BASE_REF (linkguard.toml, or [tool.linkguard] in pyproject.toml)" \
      "merge the policy first (with trusted-config: head), then judge pull requests by it"
  fi
  if [ -n "$baseline" ]; then
    baseline="$trusted/baseline.json"
    base_file "$LG_BASELINE" "$baseline" ||
      fail "$LG_BASELINE is not on the base branch $LG_BASE_REF" "commit the baseline there first"
  fi
}

counts() { # exit-code's companions: new, unsuppressed findings by severity
  "$venv/bin/python" - "$reports/linkguard-results.json" <<'PY'
import json, sys

try:
    with open(sys.argv[1], encoding="utf-8") as f:
        findings = json.load(f)["findings"]
except (OSError, ValueError, KeyError):
    findings = []
new = [f for f in findings if not f.get("known")]
print(f"findings={len(new)}")
print(f"errors={sum(1 for f in new if f.get('severity') == 'error')}")
print(f"warnings={sum(1 for f in new if f.get('severity') == 'warning')}")
PY
}

job_summary() { # the Markdown report, or a pointer to the artifact when it is too long
  [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$reports/linkguard-summary.md" ] || return 0
  if [ "$(wc -c <"$reports/linkguard-summary.md")" -le "$summary_limit" ]; then
    cat "$reports/linkguard-summary.md" >>"$GITHUB_STEP_SUMMARY"
  else
    head -n 12 "$reports/linkguard-summary.md" >>"$GITHUB_STEP_SUMMARY"
    printf '\n_The full report is longer than a job summary may be: see the %s artifact._\n' \
      "$LG_ARTIFACT_NAME" >>"$GITHUB_STEP_SUMMARY"
  fi
}

scan() {
  boolean sarif "$LG_SARIF"
  config=$LG_CONFIG
  baseline=$LG_BASELINE
  case "$LG_TRUSTED_CONFIG" in
    head) ;;
    base) trusted_policy ;;
    *) fail "trusted-config must be head or base, not '$LG_TRUSTED_CONFIG'" "write trusted-config: base" ;;
  esac
  [ -n "$LG_TEMPLATES" ] || [ -n "$LG_TARGET" ] ||
    fail "nothing to scan: both templates and target are empty" "set templates: (a folder) or target: (a URL or a build folder)"
  local extra=() word words="$RUNNER_TEMP/linkguard-args"
  "$venv/bin/python" -c 'import shlex, sys
try:
    words = shlex.split(sys.argv[1])
except ValueError as exc:
    sys.exit(f"linkguard: error: args: {exc}")
sys.stdout.write("".join(word + "\0" for word in words))' "$LG_ARGS" >"$words" ||
    fail "args cannot be split into words as a shell would" "close every quote: args: --max-pages 500"
  while IFS= read -r -d '' word; do extra+=("$word"); done <"$words"
  rm -rf "$reports"
  mkdir -p "$reports"
  local args=(scan --fail-on "$LG_FAIL_ON" --quiet
    --format text --output -
    --format json --output "$reports/linkguard-results.json"
    --format markdown --output "$reports/linkguard-summary.md"
    --format html --output "$reports/linkguard-report.html"
    --format github --output "$reports/linkguard-annotations.txt")
  [ "$LG_SARIF" = true ] && args+=(--format sarif --output "$reports/linkguard.sarif")
  [ -n "$config" ] && args+=(--config "$config")
  [ -n "$baseline" ] && args+=(--baseline "$baseline")
  if [ -n "$LG_TEMPLATES" ]; then
    args+=(--templates "$LG_TEMPLATES")
    [ -n "$LG_CHANGED_SINCE" ] && args+=(--changed-since "$LG_CHANGED_SINCE")
  else
    args+=("$LG_TARGET")
  fi
  args+=(${extra[@]+"${extra[@]}"})
  # What linkguard prints names files and URLs from the pull request: the runner obeys no
  # workflow command in it (stop-commands, with a token nobody can know in advance).
  local token code
  token="linkguard-$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
  echo "::stop-commands::$token"
  set +e
  "$venv/bin/linkguard" "${args[@]}" 2>&1
  code=$?
  set -e
  echo "::$token::"
  # The annotations are linkguard's own commands, every value in them escaped: outside.
  [ -f "$reports/linkguard-annotations.txt" ] && cat "$reports/linkguard-annotations.txt"
  {
    echo "exit-code=$code"
    echo "report-dir=$reports"
    if [ -f "$reports/linkguard.sarif" ]; then echo "sarif-file=$reports/linkguard.sarif"; fi
    counts
  } >>"$GITHUB_OUTPUT"
  job_summary
}

verdict() { # the job fails as linkguard's exit code says (4 only with fail-if-empty)
  boolean fail-if-empty "$LG_FAIL_IF_EMPTY"
  case "$LG_EXIT_CODE" in
    0) ;;
    4)
      if [ "$LG_FAIL_IF_EMPTY" = false ]; then
        echo "linkguard: nothing was checked (exit code 4); fail-if-empty is false: passing"
        return 0
      fi
      ;;
    [0-9]) ;;
    *) fail "the scan step recorded no exit code" "see the scan step's log for why it stopped" ;;
  esac
  exit "$LG_EXIT_CODE"
}

case "${1:-}" in
  prepare | install | scan | verdict) "$1" ;;
  *)
    echo "usage: action.sh prepare|install|scan|verdict" >&2
    exit 2
    ;;
esac
