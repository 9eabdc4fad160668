\ 0 org before anything: no entry jump, no main needed.
\ expect: 8001 8002 6203
0 org
: start 1 2 + ;fallthru
