\ org moves here; word 0 still jumps to main.
\ expect @0: 0080 0000
\ expect @10: 0005
\ expect @80: 8001
$100 org
: main 1 ;fallthru
$20 org
create early 5 ,
