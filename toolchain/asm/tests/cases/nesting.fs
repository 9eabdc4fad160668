\ expect: 0001 8001 2009 8002 2007 8003 0008 8004 000b 8005 2009 0001
: main
  begin
    1 if 2 if 3 else 4 then else begin 5 until then
  again ;fallthru
