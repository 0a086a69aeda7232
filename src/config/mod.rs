//! `config`: YAML files → the desired state (typed, located, validated offline).
