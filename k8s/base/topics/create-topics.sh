#!/bin/sh
# Creates the topics listed in topics.txt (beside this script) on a real Kafka cluster, and, given
# an ACL file, the ACLs of the services. Idempotent: an existing topic is left alone, but one with
# fewer partitions than declared fails the run, because adding partitions remaps record keys and
# must be done deliberately; an ACL that exists already is not added twice.
#
# Runs in the apache/kafka image: the one-shot `kafka-topics` service of docker-compose.yml and the
# `kafka-topics` Job of k8s/base. Environment:
#   BOOTSTRAP_SERVERS    host:port,... (required)
#   REPLICATION_FACTOR   replicas per partition (default 1; use 3 on a production cluster)
#   MIN_INSYNC_REPLICAS  min.insync.replicas of new topics (default 1; use 2 with 3 replicas, so an
#                        acknowledged write survives the loss of a broker)
#   ACLS_FILE            optional: "User:<name> <Operation> <Topic|Group> <name>" per line
#                        (deploy/kafka/acls.txt), added with kafka-acls.sh
#   TOPICS_FILE          the list (default: topics.txt beside this script)
#   KAFKA_CLIENT_CONFIG  optional client properties file (TLS, SASL), passed as --command-config
#   WAIT_SECONDS         how long to wait for the brokers to answer (default 120)
set -eu

: "${BOOTSTRAP_SERVERS:?set BOOTSTRAP_SERVERS to the Kafka bootstrap servers (host:port,...)}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-1}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-1}"
TOPICS_FILE="${TOPICS_FILE:-$(dirname "$0")/topics.txt}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"
KAFKA_TOPICS="${KAFKA_HOME:-/opt/kafka}/bin/kafka-topics.sh"
KAFKA_ACLS="${KAFKA_HOME:-/opt/kafka}/bin/kafka-acls.sh"

[ -r "$TOPICS_FILE" ] || { echo "kafka-topics: cannot read $TOPICS_FILE" >&2; exit 1; }

# kafka TOOL ARGS...: a Kafka admin tool against the cluster, with the client properties if given.
kafka() {
  tool="$1"
  shift
  if [ -n "${KAFKA_CLIENT_CONFIG:-}" ] && [ -f "$KAFKA_CLIENT_CONFIG" ]; then
    "$tool" --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$KAFKA_CLIENT_CONFIG" "$@" </dev/null
  else
    "$tool" --bootstrap-server "$BOOTSTRAP_SERVERS" "$@" </dev/null
  fi
}

topics() { kafka "$KAFKA_TOPICS" "$@"; }

echo "kafka-topics: waiting up to ${WAIT_SECONDS}s for $BOOTSTRAP_SERVERS"
deadline=$(($(date +%s) + WAIT_SECONDS))
until topics --list >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "kafka-topics: $BOOTSTRAP_SERVERS did not answer within ${WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 3
done

failed=0
# `|| [ -n "$name" ]` keeps a last line that has no newline.
while read -r name partitions _ || [ -n "$name" ]; do
  case "$name" in '' | '#'*) continue ;; esac
  case "$partitions" in
    '' | *[!0-9]*) echo "kafka-topics: $TOPICS_FILE: '$name' needs a partition count" >&2; exit 1 ;;
  esac
  topics --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" \
    --config "min.insync.replicas=$MIN_INSYNC_REPLICAS" >/dev/null
  actual=$(topics --describe --topic "$name" | sed -n 's/.*PartitionCount:[[:space:]]*\([0-9]*\).*/\1/p' | head -n 1)
  if [ -z "$actual" ]; then
    echo "kafka-topics: $name was not created" >&2
    failed=1
  elif [ "$actual" -lt "$partitions" ]; then
    echo "kafka-topics: $name has $actual partitions, $partitions declared. Adding partitions remaps keys:" >&2
    echo "  run kafka-topics.sh --alter --topic $name --partitions $partitions deliberately." >&2
    failed=1
  else
    echo "kafka-topics: $name ready ($actual partitions)"
  fi
done <"$TOPICS_FILE"

if [ -n "${ACLS_FILE:-}" ]; then
  [ -r "$ACLS_FILE" ] || { echo "kafka-topics: cannot read $ACLS_FILE" >&2; exit 1; }
  while read -r principal operation type name || [ -n "$principal" ]; do
    case "$principal" in '' | '#'*) continue ;; esac
    case "$type" in
      Topic) resource="--topic" ;;
      Group) resource="--group" ;;
      *) echo "kafka-topics: $ACLS_FILE: unknown resource type '$type'" >&2; exit 1 ;;
    esac
    kafka "$KAFKA_ACLS" --add --allow-principal "$principal" --operation "$operation" "$resource" "$name" >/dev/null ||
      { echo "kafka-topics: could not allow $principal $operation on $type $name" >&2; failed=1; }
  done <"$ACLS_FILE"
  [ "$failed" -ne 0 ] || echo "kafka-topics: ACLs of $ACLS_FILE in place"
fi

exit "$failed"
