//! The simulation top against the Rust simulator, cycle by cycle, on J1a programs.

mod common;
use common::*;
use j1k_hdl::HwConfig;

/// Every ALU code, both stacks past overflow and underflow, delta 10, the fetch
/// path, the write gate, LEDs, UART TX and RX, the status and core-id ports.
const BASE: &str = r#"
include lib/io.fs
variable v
create tbl 11 , 22 , 33 ,
: fetch ( a -- x ) @ ;
: main
    1234 v !  v @ 4 io!              \ the store is dropped: the gate is still closed
    1234 v !  v @ 4 io!              \ now it lands; LEDs = 1234 and 31
    tbl 2 + fetch  4 io!
    1 2 + 3 and 4 or 5 xor invert 7 = drop
    -5 3 < drop  3 -5 < drop  3 -5 u< drop  -8 2/ 2* drop  5 3 - drop  7 7 = drop
    depth drop
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 depth drop
    drop drop drop drop drop drop drop drop drop drop
    drop drop drop drop drop drop drop drop drop drop drop drop drop drop
    depth drop
    1 >r 2 >r 3 >r 4 >r 5 >r 6 >r 7 >r 8 >r 9 >r 10 >r
    11 >r 12 >r 13 >r 14 >r 15 >r 16 >r 17 >r 18 >r 19 >r 20 >r
    r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r>
    alu(T,d-2) alu(T,r-2) alu(T+N,T->N,d+1,r-1) alu(N,T->R) alu(N,func6) alu(N,func7)
    [char] A emit  key emit  key? drop  key emit  key? drop  $1000 io@ drop
    $4000 io@ drop  $2000 io@ drop
    halt ;
"#;

#[test]
fn base_program_lockstep() {
    let image = assemble("hw_base.fs", BASE);
    let cfg = HwConfig {
        key: None,
        ..HwConfig::default()
    };
    let n = lockstep(cfg, image, b"xy", 3000);
    eprintln!("halted after {n} cycles");
    assert!(n < 3000, "the program did not halt in 3000 cycles");
}

#[test]
fn base_program_lockstep_key_unit_on() {
    let image = assemble("hw_base.fs", BASE);
    let n = lockstep(HwConfig::default(), image, b"xy", 3000);
    assert!(n < 3000);
}
