\ expect: 0001 8001 2004 8002 8003
: main 1 if 2 then 3 ;fallthru
