\ expect: 0001 8001 2005 8002 0001 8003
: main begin 1 while 2 repeat 3 ;fallthru
