\ begin ... while ... until ... then
\ expect: 0001 8001 2006 8002 2001 8003
: main begin 1 while 2 until 3 then ;fallthru
