#!/bin/sh
# The proxy's command in deploy/compose.yaml: nginx.conf with one upstream server line per app
# replica, by the name compose gives each container (<project>-app-<n>), then nginx itself.
#
#     REPLICAS=3 PROJECT=twolayer sh proxy-start.sh
#
# TEMPLATE, OUT and NGINX may point elsewhere (the cluster test runs it with NGINX=true).
# ROUTE_SECRET is what the route cookie is hashed with (nginx.conf, upstream twolayer): set it
# to keep each browser on its replica across restarts of the proxy; unset, a random one is
# made at each start (browsers then move to new replicas, as after a replica's restart).
set -eu
: "${REPLICAS:?REPLICAS must be set}" "${PROJECT:=twolayer}"
TEMPLATE="${TEMPLATE:-/etc/nginx/twolayer.conf}"
OUT="${OUT:-/etc/nginx/nginx.conf}"

case "$REPLICAS" in
    '' | *[!0-9]* | 0) echo "REPLICAS must be a whole number from 1, got '$REPLICAS'" >&2; exit 2 ;;
esac

if [ -z "${ROUTE_SECRET:-}" ]; then
    ROUTE_SECRET=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
fi
case "$ROUTE_SECRET" in
    *[!0-9A-Za-z]*) echo "ROUTE_SECRET must be letters and digits only" >&2; exit 2 ;;
esac

# The server lines of `upstream twolayer { ... }` give way to the new ones, at the place of the
# first; everything else is copied as it is.
awk -v n="$REPLICAS" -v project="$PROJECT" -v secret="$ROUTE_SECRET" '
    /^[ \t]*upstream[ \t]+twolayer[ \t]*\{/ { inside = 1 }
    inside && /^[ \t]*server[ \t]/ {
        if (!written) {
            match($0, /^[ \t]*/)
            for (i = 1; i <= n; i++)
                printf "%sserver %s-app-%d:8501 resolve;\n", substr($0, 1, RLENGTH), project, i
            written = 1
        }
        next
    }
    inside && /^[ \t]*hash[ \t]/ { sub(/ROUTE_SECRET/, secret) }
    inside && /\}/ { inside = 0 }
    { print }
' "$TEMPLATE" > "$OUT"

echo "proxy-start: $REPLICAS replicas: $(grep -c "server $PROJECT-app-" "$OUT") server lines" >&2
exec ${NGINX:-nginx} -c "$OUT" -g 'daemon off;'
