-- POST /users with a JSON body that NewUser (bench/servers/users.mjs) accepts: a static request,
-- built once by wrk. Must agree with USER_BODY there.
wrk.method = "POST"
wrk.path = "/users"
wrk.body = '{"name":"Ann","email":"ann@example.com","age":42}'
wrk.headers["Content-Type"] = "application/json"
