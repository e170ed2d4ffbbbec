"""Events: congresses, advisory boards, speaker programs, webinars; who spoke, who came."""
