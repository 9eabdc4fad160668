\ ['] and ' give a name's address (forward references allowed in definitions).
\ expect: 0003 0000 608c 8004 8002 800e 8004 608c 0004
variable v
: f ;
: main ['] f ['] v ['] later ' f ;fallthru
: later ;
' f ,
