"""The firewall policy's versions: compliance reads and changes it; every change is audited."""
