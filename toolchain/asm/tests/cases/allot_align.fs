\ expect: 0005 0000 0000 0000 0000 8002 8008 800a
create buf 5 allot align
variable x
here constant h
: main buf x h ;fallthru
