#!/usr/bin/env bash
# Makes a DEVELOPMENT certificate authority and certificates signed by it, for mutual TLS between
# Raft peers (raft-tls-key/raft-tls-cert/raft-tls-ca) and HTTPS (tls-keystore, a PKCS#12).
#
#   ops/dev-ca.sh DIR NAME...     e.g. ops/dev-ca.sh /tmp/pki n1 n2 n3 alice
#
# DIR/ca.key, DIR/ca.crt      the CA (made once; reused when present). Keep ca.key secret and offline.
# DIR/NAME.key, DIR/NAME.crt  a key (PKCS#8 PEM) and certificate for NAME: CN=NAME, valid for
#                             127.0.0.1, ::1, localhost and NAME, for server and client authentication.
# DIR/NAME.p12                the same in a PKCS#12 key store, password from $DEV_CA_P12_PASSWORD
#                             (default "changeit"), for ipamd's HTTPS.
# Run it again with a NAME to rotate that certificate (a new key and serial); ipamd reloads the files.
# For production, use your own CA and keep its key off the nodes.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR NAME..." >&2
  exit 2
fi
dir="$1"; shift
days="${DEV_CA_DAYS:-365}"
password="${DEV_CA_P12_PASSWORD:-changeit}"
mkdir -p "$dir"
umask 077
if [[ ! -f "$dir/ca.key" || ! -f "$dir/ca.crt" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$days" -subj "/CN=ipam development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.crt" 2>/dev/null
fi
for name in "$@"; do
  if [[ ! "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]]; then
    echo "$0: bad name '$name': letters, digits, . _ - only" >&2
    exit 2
  fi
  ext="$(mktemp)"
  trap 'rm -f "$ext"' EXIT
  cat > "$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:$name
EXT
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key.tmp" 2>/dev/null
  openssl req -new -key "$dir/$name.key.tmp" -subj "/CN=$name" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$days" -sha256 -extfile "$ext" -out "$dir/$name.crt.tmp" 2>/dev/null
  openssl pkcs12 -export -inkey "$dir/$name.key.tmp" -in "$dir/$name.crt.tmp" -certfile "$dir/ca.crt" \
    -name "$name" -passout "pass:$password" -out "$dir/$name.p12.tmp" 2>/dev/null
  # Renames, so a node polling the files never reads half of one.
  mv -f "$dir/$name.key.tmp" "$dir/$name.key"
  mv -f "$dir/$name.crt.tmp" "$dir/$name.crt"
  mv -f "$dir/$name.p12.tmp" "$dir/$name.p12"
  rm -f "$dir/$name.csr" "$ext"
done
echo "$dir: ca.crt and $* (key, crt, p12)"
