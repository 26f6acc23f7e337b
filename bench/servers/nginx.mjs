// Peer server: Debian's nginx, one process, `return 200` — the native reference.
// Not a script that runs: the harness calls nginxCommand() and spawns nginx itself, so that the
// PID it pins and samples RSS from is the serving process.
import fs from 'node:fs';
import path from 'node:path';
import { BODY_64K, HELLO, KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES } from './payloads.mjs';

/** nginx's string syntax: a double-quoted string, with `"`, `\` and `$` escaped. */
function quote(buf) {
  return `"${buf
    .toString('latin1')
    .replace(/[\\"$]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')}"`;
}

/**
 * Writes a config for 127.0.0.1:`port` into `dir` (pid, logs and temp paths all inside it, so
 * it never touches a system nginx or port 80) and returns the argv to run it.
 * `daemon off` keeps it a child of the harness; `master_process off` makes that child the worker,
 * i.e. the one process that accepts, serves and holds the memory.
 */
export function nginxCommand(dir, port) {
  const conf = `
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 30000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout ${KEEP_ALIVE_TIMEOUT_MS / 1000}s;
  keepalive_requests 100000000;  # default 1000 closes busy keep-alive connections
  client_max_body_size ${MAX_BODY_BYTES};
  default_type text/plain;
  sendfile on;
  server {
    listen 127.0.0.1:${port} backlog=511;
    location = /hello { return 200 ${quote(HELLO)}; }
    # A config token is limited to 4 KiB, so the 64 KiB body is a file, sent with sendfile as in
    # Debian's stock nginx.conf.
    location = /64k { alias ${dir}/64k.txt; }
    # 'return' reads the request body and discards it (ngx_http_discard_request_body), so the
    # count is the request's Content-Length, not bytes counted by a handler.
    location = /upload { return 200 "$content_length\\n"; }
  }
}
`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '64k.txt'), BODY_64K);
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, conf);
  // -p: prefix, -e: error log before the config is read (else it opens /var/log/nginx/error.log).
  return ['nginx', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', file];
}
