\ expect: 0001 8001 2001 8002 0003
: main begin 1 until begin 2 again ;fallthru
