"""ccsim: contact-centre simulator and staffing optimiser."""
