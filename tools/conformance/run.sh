#!/usr/bin/env bash
# Runs the OCI distribution-spec conformance suite against a registry.
#
#   tools/conformance/run.sh <registry-url> [KEY=VALUE ...]
#
# Example:
#   tools/conformance/run.sh http://127.0.0.1:5000
#   OCI_USERNAME=u OCI_PASSWORD=p tools/conformance/run.sh https://reg.example OCI_AUTOMATIC_CROSSMOUNT=1
#
# All four workflows (pull, push, content discovery, content management) run.
# KEY=VALUE arguments (or the same variables in the environment) override the
# defaults below; see README.md for the variables the suite reads.
#
# Prints ginkgo's output, then one line "conformance: N passed, M failed,
# S skipped" and the names of the failed specs. Exits 1 if any spec failed
# or the summary could not be read. Reports (junit.xml, report.html, the full
# console log) land in $OCI_REPORT_DIR, by default a fresh temporary folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ "$#" -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac

registry_url="${1%/}"
shift
for assignment in "$@"; do
  case "$assignment" in
    [A-Za-z_]*=*) export "${assignment?}" ;;
    *) echo "conformance-run: expected KEY=VALUE, got '$assignment'" >&2; exit 2 ;;
  esac
done

bin="$("$HERE/build.sh")"

# A fresh repository name per run keeps runs independent of each other and of
# leftovers from an earlier, interrupted run against the same registry.
run_id="$(date +%s)-$$"
export OCI_ROOT_URL="$registry_url"
export OCI_NAMESPACE="${OCI_NAMESPACE:-conformance/run-$run_id}"
export OCI_CROSSMOUNT_NAMESPACE="${OCI_CROSSMOUNT_NAMESPACE:-conformance/mount-$run_id}"
export OCI_TEST_PULL="${OCI_TEST_PULL:-1}"
export OCI_TEST_PUSH="${OCI_TEST_PUSH:-1}"
export OCI_TEST_CONTENT_DISCOVERY="${OCI_TEST_CONTENT_DISCOVERY:-1}"
export OCI_TEST_CONTENT_MANAGEMENT="${OCI_TEST_CONTENT_MANAGEMENT:-1}"
export OCI_DEBUG="${OCI_DEBUG:-0}"
export OCI_HIDE_SKIPPED_WORKFLOWS="${OCI_HIDE_SKIPPED_WORKFLOWS:-0}"
# OCI_USERNAME, OCI_PASSWORD, OCI_AUTH_SCOPE, OCI_AUTOMATIC_CROSSMOUNT,
# OCI_DELETE_MANIFEST_BEFORE_BLOBS and the pull-only variables pass through
# from the environment when set; unset, the suite's own defaults apply.
if [ -z "${OCI_REPORT_DIR:-}" ]; then
  OCI_REPORT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/oci-conformance.XXXXXX")"
fi
export OCI_REPORT_DIR
mkdir -p "$OCI_REPORT_DIR"
log_file="$OCI_REPORT_DIR/output.log"

echo "conformance-run: $OCI_ROOT_URL namespace=$OCI_NAMESPACE reports=$OCI_REPORT_DIR" >&2

started=$(date +%s)
set +e
# shellcheck disable=SC2086 # CONFORMANCE_GINKGO_FLAGS is a list of flags
(cd "$OCI_REPORT_DIR" && "$bin" -ginkgo.noColor ${CONFORMANCE_GINKGO_FLAGS:-}) 2>&1 | tee "$log_file"
status=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - started ))

# Ginkgo v1 closes with e.g. "FAIL! -- 61 Passed | 13 Failed | 0 Pending | 2 Skipped".
counts_line="$(grep -aE '(SUCCESS|FAIL)! -- [0-9]+ Passed \| [0-9]+ Failed \| [0-9]+ Pending \| [0-9]+ Skipped' "$log_file" | tail -n 1 || true)"
if [ -z "$counts_line" ]; then
  echo "conformance-run: could not find ginkgo's summary (exit status $status); see $log_file" >&2
  echo "conformance: 0 passed, 1 failed"
  exit 1
fi
passed="$(sed -E 's/.* ([0-9]+) Passed.*/\1/' <<<"$counts_line")"
failed="$(sed -E 's/.* ([0-9]+) Failed.*/\1/' <<<"$counts_line")"
skipped="$(sed -E 's/.* ([0-9]+) Skipped.*/\1/' <<<"$counts_line")"

echo
if [ "$failed" -gt 0 ]; then
  echo "Failed specs:"
  grep -aE '^\[(Fail|Panic!)\]' "$log_file" | sed 's/^/  /' || true
fi
echo "Reports: $OCI_REPORT_DIR (junit.xml, report.html, output.log); ran in ${elapsed}s"
echo "conformance: $passed passed, $failed failed, $skipped skipped"

if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
  exit 1
fi
