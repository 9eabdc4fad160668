\ error: 3:16 `then` does not match the open `begin`
\ kind: control_structure
: main begin 1 then ;
