\ expect: 0001 8001 2005 8002 0006 8003 8004
: main 1 if 2 else 3 then 4 ;fallthru
