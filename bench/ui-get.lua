-- wrk script: GETs the URL given on the command line as a signed-in browser (the session and
-- CSRF cookies in COOKIE), asking for compressed HTML like a browser does.
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["Accept-Encoding"] = "gzip"
wrk.headers["Accept"] = "text/html"
dofile("bench/report.lua")
