\ Bytes are little-endian within a word; create aligns.
\ expect: 0008 0001 0002 abcd ffff 0201 0003 0007 8002 800a 800e
\ symbol: table create $0002
\ symbol: bytes create $000a
\ listing: 0001 0002  0001  data                      
create table 1 , 2 , $abcd , -1 ,
create bytes 1 c, 2 c, 3 c,
create after 7 ,
: main table bytes after ;fallthru
