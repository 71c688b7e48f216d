// The shape of a fully qualified protobuf message name, as config lists accept it.

/** A fully qualified message name: dot-separated identifiers, e.g. `bank.v1.Account`. */
export const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
