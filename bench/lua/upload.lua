-- 1 MiB POST /upload: a static request (no request() function), so wrk builds it once.
-- The size must agree with UPLOAD_BYTES in servers/payloads.mjs.
wrk.method = "POST"
wrk.path = "/upload"
wrk.body = string.rep("a", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
