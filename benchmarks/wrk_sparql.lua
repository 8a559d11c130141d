-- wrk script for benchmarks/query_path.py (wrk 4.x, LuaJIT).
--
-- QP_MODE=fixed   every request is the URL and headers given on wrk's command line
--                 (wrk builds the request once; no Lua runs per request);
-- QP_MODE=unique  every request is GET {QP_PATH}?query=... with the text of QP_TEMPLATE,
--                 in which __IRI__ becomes the next subject IRI of the file QP_SUBJECTS
--                 (one IRI a line; each thread starts at its own offset) and __N__ becomes
--                 "<thread>x<counter>", so no two requests of a run send the same text.
--
-- done() prints one line "QP_RESULT {json}" with the counts and latency percentiles that
-- the harness parses (latencies in microseconds).

local mode = os.getenv("QP_MODE") or "fixed"
local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

local function urlencode(text)
   return (string.gsub(text, "[^%w%-_%.~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

if mode == "unique" then
   local subjects = {}
   local position = 0
   local sent = 0
   local template = os.getenv("QP_TEMPLATE")
   local path = os.getenv("QP_PATH")
   local accept = os.getenv("QP_ACCEPT") or "application/sparql-results+json"

   function init(args)
      for line in io.lines(os.getenv("QP_SUBJECTS")) do
         if #line > 0 then
            table.insert(subjects, line)
         end
      end
      -- tid is set by setup() in this thread's Lua state before init runs
      position = ((tid or 1) * 7919) % #subjects
   end

   function request()
      sent = sent + 1
      position = position % #subjects + 1
      local iri = subjects[position]:gsub("%%", "%%%%")
      local n = string.format("%dx%d", tid or 0, sent)
      local text = template:gsub("__IRI__", iri):gsub("__N__", n)
      return wrk.format("GET", path .. "?query=" .. urlencode(text), { ["Accept"] = accept })
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'QP_RESULT {"duration_us": %d, "requests": %d, "bytes": %d, "connect_errors": %d, '
         .. '"read_errors": %d, "write_errors": %d, "non_2xx_3xx": %d, "timeouts": %d, '
         .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write,
      e.status, e.timeout, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean
   ))
end
