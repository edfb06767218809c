"""Reading tco's input files: YAML with line numbers, price-book trees and workloads."""
