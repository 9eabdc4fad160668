//! The iCE40 parts the flow knows: nextpnr's device flag, packages, and the resources that
//! the board files' store sizes are checked against.

/// Which PLL primitive a part's clock pin can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PllPrimitive {
    /// `SB_PLL40_CORE`: the reference clock comes from the fabric (a global buffer).
    Core,
    /// `SB_PLL40_PAD`: the reference clock is the PLL's own input pad.
    Pad,
}

impl PllPrimitive {
    pub fn verilog_name(self) -> &'static str {
        match self {
            PllPrimitive::Core => "SB_PLL40_CORE",
            PllPrimitive::Pad => "SB_PLL40_PAD",
        }
    }

    pub fn from_name(s: &str) -> Option<PllPrimitive> {
        match s {
            "SB_PLL40_CORE" => Some(PllPrimitive::Core),
            "SB_PLL40_PAD" => Some(PllPrimitive::Pad),
            _ => None,
        }
    }
}

/// One iCE40 part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    /// nextpnr-ice40's flag without the dashes: `hx8k` → `--hx8k`.
    pub name: &'static str,
    /// Lattice's part name, for tables.
    pub part: &'static str,
    /// Packages nextpnr-ice40 accepts for it (`--package`).
    pub packages: &'static [&'static str],
    pub logic_cells: u32,
    /// SB_RAM40_4K blocks (256 × 16 each).
    pub brams: u32,
    /// SB_SPRAM256KA blocks (16K × 16 each).
    pub sprams: u32,
    /// The PLL primitive the board shell uses on this part. The UP5K's only PLL sits behind its
    /// clock pad (nextpnr cannot place SB_PLL40_CORE there, measured in the HDL spike).
    pub pll: PllPrimitive,
}

/// Words in one SB_RAM40_4K (as 256 × 16).
pub const BRAM_WORDS: u32 = 256;
/// Words in one SB_SPRAM256KA (16K × 16).
pub const SPRAM_WORDS: u32 = 16384;
/// BRAMs taken by one core's 4K × 16 J1a RAM.
pub const CORE_RAM_BRAMS: u32 = (j1k_isa::RAM_WORDS as u32) / BRAM_WORDS;

pub const DEVICES: &[Device] = &[
    Device {
        name: "hx1k",
        part: "iCE40HX1K",
        packages: &["tq144", "vq100", "cb132"],
        logic_cells: 1280,
        brams: 16,
        sprams: 0,
        pll: PllPrimitive::Core,
    },
    Device {
        name: "lp1k",
        part: "iCE40LP1K",
        packages: &[
            "swg16tr", "cm36", "cm49", "cm81", "cm121", "qn84", "cb81", "cb121",
        ],
        logic_cells: 1280,
        brams: 16,
        sprams: 0,
        pll: PllPrimitive::Core,
    },
    Device {
        name: "hx8k",
        part: "iCE40HX8K",
        packages: &["ct256", "cm225", "cb132", "bg121", "tq144"],
        logic_cells: 7680,
        brams: 32,
        sprams: 0,
        pll: PllPrimitive::Core,
    },
    Device {
        name: "lp8k",
        part: "iCE40LP8K",
        packages: &["cm81", "cm121", "cm225"],
        logic_cells: 7680,
        brams: 32,
        sprams: 0,
        pll: PllPrimitive::Core,
    },
    Device {
        name: "up5k",
        part: "iCE40UP5K",
        packages: &["sg48", "uwg30"],
        logic_cells: 5280,
        brams: 30,
        sprams: 4,
        pll: PllPrimitive::Pad,
    },
];

/// The pin names of `package` on device `name` (icestorm's chipdb, package_pins.txt), or
/// `None` for a pair the flow does not know.
pub fn package_pins(name: &str, package: &str) -> Option<Vec<&'static str>> {
    include_str!("package_pins.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (head, pins) = l.split_once(':')?;
            let mut h = head.split_whitespace();
            (h.next()? == name && h.next()? == package).then(|| pins.split_whitespace().collect())
        })
}

pub fn find(name: &str) -> Option<&'static Device> {
    DEVICES.iter().find(|d| d.name == name)
}

pub fn names() -> Vec<&'static str> {
    DEVICES.iter().map(|d| d.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.pins` section of icestorm's chipdb for a device's package (the HX8K's tq144 is
    /// the `tq144:4k` section).
    fn chipdb_pins(d: &Device, package: &str) -> Vec<String> {
        let file = match d.logic_cells {
            1280 => "chipdb-1k.txt",
            7680 => "chipdb-8k.txt",
            _ => "chipdb-5k.txt",
        };
        let path = std::path::Path::new("/usr/share/fpga-icestorm/chipdb").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; install icestorm's chip database: apt-get install fpga-icestorm \
                 (scripts/setup does it)",
                path.display()
            )
        });
        let mut sections: Vec<(String, Vec<String>)> = Vec::new();
        for l in text.lines() {
            if let Some(rest) = l.strip_prefix(".pins ") {
                sections.push((rest.trim().to_string(), Vec::new()));
            } else if l.starts_with('.') {
                sections.push((String::new(), Vec::new()));
            } else if let (Some(s), Some(pin)) = (sections.last_mut(), l.split_whitespace().next())
            {
                s.1.push(pin.to_string());
            }
        }
        let find = |name: &str| sections.iter().find(|s| s.0 == name).map(|s| s.1.clone());
        find(package)
            .or_else(|| find(&format!("{package}:4k")))
            .unwrap_or_else(|| panic!("{file} has no .pins {package}"))
    }

    /// package_pins.txt is icestorm's chipdb, for every device and package the flow knows.
    #[test]
    fn package_pins_are_icestorms() {
        for d in DEVICES {
            for p in d.packages {
                let want = chipdb_pins(d, p);
                let have = package_pins(d.name, p).unwrap_or_default();
                assert_eq!(
                    have,
                    want,
                    "package_pins.txt, the line should be:\n{} {p}: {}",
                    d.name,
                    want.join(" ")
                );
            }
        }
    }
}
