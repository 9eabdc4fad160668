\ ," is counted (length byte first), s," is raw; both are bytes.
\ expect: 0005 4803 2169 6261 0000 8002 8006 8008
create s1 ," Hi!"
create s2 s," ab"
create s3 ," "
: main s1 s2 s3 ;fallthru
