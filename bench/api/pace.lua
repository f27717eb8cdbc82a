-- Paces each connection: with N connections and a delay of D ms, wrk sends about N * 1000 / (D + latency) requests a second.
local pause = tonumber(os.getenv("PACE_MS") or "0")
function delay() return pause end
