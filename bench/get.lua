-- wrk script: GETs the URL given on the command line with the bearer TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
dofile("bench/report.lua")
