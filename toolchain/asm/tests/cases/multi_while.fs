\ ANS Forth: a second while is closed by `then` after the loop.
\ expect: 0001 8001 2008 8002 2007 8003 0001 8004 8005
: main begin 1 while 2 while 3 repeat 4 then 5 ;fallthru
