"""The configuration fragments of the spec, verbatim (spec section in each name).

Some show alternatives as ``"a" | "b"``, which is not YAML; the tests expand
them into one document per alternative (see ``expand_alternatives``).
"""

FRAGMENTS: dict[str, str] = {}

FRAGMENTS["s2_2_campaign_table"] = """\
salesperson_selection:
  source_type: "campaign_table"
  source_config:
    campaign_table:
      file_path: "config/salesperson_campaigns.csv"
      campaign_column: "campaign_name"
      salesperson_column: "salesperson_name"
      active_column: "active"

  campaign_filtering:
    enabled: true
    target_campaign: "Voice"  # Voice, Apple, or other user-defined campaigns
    include_inactive_salespeople: false
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
"""

FRAGMENTS["s2_3_file"] = """\
salesperson_selection:
  source_type: "file"
  source_config:
    file_path: "salespeople.txt"
  filters:
    active_only: true
    has_permissions: true
    min_experience_level: 1
    max_workload_percentage: 90
"""

FRAGMENTS["s2_3_list"] = """\
salesperson_selection:
  source_type: "list"
  source_config:
    salespeople_list:
      - "alice_smith"
      - "bob_johnson"
      - "carol_williams"
"""

FRAGMENTS["s2_3_database"] = """\
salesperson_selection:
  source_type: "database"
  source_config:
    database_query:
      table: "res_users"
      where_clause: "active = true AND sales_team_id = 1"
      fields: ["name", "id", "sales_team_id"]
"""

FRAGMENTS["s2_4_criteria"] = """\
salesperson_selection:
  source_type: "campaign_table" | "file" | "database" | "list"
  source_config:
    file_path: "salespeople.txt"  # For file-based selection
    category: "senior_sales"       # For category-based selection
    campaign: "summer_2024"        # For campaign-based selection
    team: "sales_team_a"           # For team-based selection
  filters:
    active_only: true
    has_permissions: true
    min_experience_level: 1
    max_workload_percentage: 90
    team_filter: "Voice"  # Optional team filter
"""

FRAGMENTS["s3_1_date_and_status"] = """\
lead_finding:
  date_range:
    # Current implementation uses 30-day window
    older_than_days: 0      # Changed from 60 to match current logic
    younger_than_days: 30   # Changed from 180 to match current logic
    custom_start_date: null  # Override with specific date
    custom_end_date: null    # Override with specific date
    exclude_weekends: false
    exclude_holidays: false

  # Status-based filtering (from current implementation)
  status_filters:
    active_salespeople:
      statuses: ["Utr", "Call Back"]
      date_range_days: 30
    inactive_salespeople:
      statuses: ["Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"]
      date_range_days: 30
    exclude_closed_leads: true
    exclude_assigned_leads: false  # Current implementation redistributes assigned leads

  # Activity deadline filtering
  activity_deadline:
    exclude_within_days: 4  # Exclude leads with activity deadline within 4 days
    exclude_missing_deadline: false  # Include leads with no deadline

  # User exclusions
  excluded_users:
    - "Drew Cox"
    - "Patrick Adler"
    - "Administrator"
    - "Marc Spiegel"
"""

FRAGMENTS["s3_1_date_range_strategies"] = """\
lead_finding:
  date_range_strategies:
    current_30_day:  # Current implementation
      older_than_days: 0
      younger_than_days: 30
      description: "Leads from last 30 days (current default)"

    extended_60_day:  # Alternative for larger datasets
      older_than_days: 0
      younger_than_days: 60
      description: "Leads from last 60 days"

    stale_lead_recovery:  # For recovering old leads
      older_than_days: 60
      younger_than_days: 180
      description: "Leads older than 2 months but newer than 6 months"

    custom_range:
      older_than_days: null  # Configurable
      younger_than_days: null  # Configurable
      description: "User-defined date range"
"""

FRAGMENTS["s3_2_web_sources_short"] = """\
lead_finding:
  web_sources:
    source_type: "file" | "database" | "config"
    source_config:
      file_path: "web_sources.txt"
      table_name: "lead_web_sources"
      sources: ["facebook_form", "google_ads", "website_contact"]
    include_inactive: false
    case_sensitive: false  # Configurable case sensitivity
    exact_match: false     # Whether to require exact match or partial match
    match_mode: "exact" | "partial" | "regex"  # Match mode for web sources
"""

FRAGMENTS["s3_2_web_sources"] = """\
lead_finding:
  web_sources:
    # Basic configuration
    source_type: "file"
    source_config:
      file_path: "web_sources.txt"

    # Matching options
    case_sensitive: false
    exact_match: false
    match_mode: "exact"  # exact, partial, regex

    # Advanced matching
    match_patterns:
      - "facebook*"      # Wildcard patterns
      - "google_ads*"
      - "website_contact"

    # Regex patterns (when match_mode is "regex")
    regex_patterns:
      - "^facebook.*"
      - "^google.*ads"
      - ".*contact.*"

    # Validation
    validate_sources: true  # Verify sources exist in Odoo
    exclude_invalid: true   # Skip invalid sources
"""

FRAGMENTS["s3_3_campaigns_short"] = """\
lead_finding:
  campaigns:
    types: ["voice_campaign_2024", "apple_campaign_2024", "summer_promo"]
    match_patterns:
      - "voice_campaign_*"
      - "apple_campaign_*"
      - "summer_promo"
    case_sensitive: false
    exact_match: false
    match_mode: "exact" | "partial" | "regex"
"""

FRAGMENTS["s3_3_campaigns"] = """\
lead_finding:
  campaigns:
    # Basic configuration
    types: ["voice_campaign_2024", "apple_campaign_2024", "summer_promo"]

    # Matching options
    case_sensitive: false
    exact_match: false
    match_mode: "exact"  # exact, partial, regex

    # Pattern matching
    match_patterns:
      - "voice_campaign_*"
      - "apple_campaign_*"
      - "summer_promo"

    # Regex patterns (when match_mode is "regex")
    regex_patterns:
      - "^voice_campaign_.*"
      - "^apple_campaign_.*"
      - "^summer_promo.*"

    # Campaign-specific settings
    campaign_settings:
      voice_campaign_2024:
        case_sensitive: false
        match_mode: "partial"
      apple_campaign_2024:
        case_sensitive: true
        match_mode: "exact"
      summer_promo:
        case_sensitive: false
        match_mode: "regex"
"""

FRAGMENTS["s3_4_additional_filters_short"] = """\
lead_finding:
  additional_filters:
    status: ["new", "in_progress"]  # Only distribute unassigned or in-progress leads
    exclude_assigned: true           # Exclude leads already assigned to users
    exclude_closed: true             # Exclude won/lost leads
    min_priority: 1                 # Minimum lead priority
    max_priority: 5                 # Maximum lead priority
    required_fields: ["name", "email"]  # Leads must have these fields
    exclude_tags: ["do_not_distribute", "test"]
    include_tags: ["hot_lead", "vip"]

    # DNC filtering
    exclude_dnc: true               # Exclude Do Not Call leads
    dnc_statuses: ["dnc", "do_not_call", "dont_call", "no_call", "blocked", "opt_out"]
    dnc_case_sensitive: false       # Case sensitivity for DNC status matching
    dnc_match_mode: "exact"         # exact, partial, regex

    # Status matching configuration
    status_matching:
      case_sensitive: false
      exact_match: false
      match_mode: "exact"  # exact, partial, regex
      include_partial_matches: true
"""

FRAGMENTS["s3_4_additional_filters"] = """\
lead_finding:
  additional_filters:
    # Status filtering with case sensitivity
    status:
      values: ["new", "in_progress", "call_back", "utr"]
      case_sensitive: false
      exact_match: false
      match_mode: "exact"
      include_partial_matches: true

    # DNC filtering configuration
    dnc_filtering:
      enabled: true
      statuses: ["dnc", "do_not_call", "dont_call", "no_call", "blocked", "opt_out"]
      case_sensitive: false
      match_mode: "exact"  # exact, partial, regex
      include_partial_matches: false  # Usually want exact match for DNC

      # Additional DNC patterns
      regex_patterns:
        - "^dnc.*"
        - "^do_not_call.*"
        - "^dont_call.*"
        - ".*no_call.*"
        - ".*blocked.*"
        - ".*opt_out.*"

      # DNC tag filtering
      exclude_dnc_tags: true
      dnc_tags: ["do_not_call", "dnc", "blocked", "opt_out"]

    # Tag filtering with case sensitivity
    exclude_tags:
      values: ["do_not_distribute", "test", "archived"]
      case_sensitive: false
      exact_match: false
      match_mode: "exact"

    include_tags:
      values: ["hot_lead", "vip", "priority"]
      case_sensitive: false
      exact_match: false
      match_mode: "exact"

    # Field validation
    required_fields:
      - "name"
      - "email"
      - "phone"

    # Priority filtering
    priority_range:
      min: 1
      max: 5

    # Assignment filtering
    assignment_filters:
      exclude_assigned: true
      exclude_closed: true
      exclude_inactive_users: true
"""

FRAGMENTS["s3_5_sales_filter_short"] = """\
lead_finding:
  sales_filter:
    # Enable/disable sales filter
    enabled: true

    # Opportunity table configuration
    opportunity_table: "crm.opp"  # Default opportunity table name
    opportunity_partner_field: "partner_id"  # Field to match in opportunity table
    lead_partner_field: "partner_id"  # Field to match in lead table

    # Additional opportunity filters (optional)
    exclude_opportunity_stages:
      - "cancelled"
      - "lost"
      - "closed_lost"

    # Include only opportunities in specific stages (optional)
    include_opportunity_stages: []  # Empty means all stages

    # Date range for opportunity matching (optional)
    opportunity_date_range:
      enabled: false
      field_name: "date_open"  # Date field to check in opportunities
      days_back: 365  # Only check opportunities from last 365 days

    # Logging and debugging
    log_excluded_leads: true  # Log leads excluded due to sales filter
    log_level: "info"  # debug, info, warning, error
"""

FRAGMENTS["s3_5_sales_filter"] = """\
lead_finding:
  sales_filter:
    enabled: true

    # Primary matching criteria
    primary_match:
      opportunity_table: "crm.opp"
      lead_field: "partner_id"
      opportunity_field: "partner_id"
      require_both_non_null: true  # Both fields must have values to match

    # Secondary matching criteria (optional)
    secondary_matches:
      email_match:
        enabled: false
        lead_field: "email_from"
        opportunity_field: "email_from"

      phone_match:
        enabled: false
        lead_field: "phone"
        opportunity_field: "phone"

    # Opportunity filtering
    opportunity_criteria:
      exclude_stages: ["cancelled", "lost", "closed_lost"]
      include_stages: []  # Empty = all stages
      active_only: true  # Only check active opportunities

      # Date filtering for opportunities
      date_filter:
        enabled: false
        field_name: "date_open"
        newer_than_days: 365  # Only opportunities from last year

    # Performance optimization
    performance:
      batch_size: 1000  # Process leads in batches
      use_database_join: true  # Use SQL JOIN instead of Python filtering
      cache_opportunities: true  # Cache opportunity data for session
      cache_duration_minutes: 30

    # Reporting
    reporting:
      log_excluded_leads: true
      log_match_details: false  # Detailed matching information
      count_excluded_by_stage: true  # Count exclusions by opportunity stage
      export_excluded_leads: false  # Export excluded leads to file
      export_path: "logs/excluded_leads.csv"
"""

FRAGMENTS["s3_6_dropback_short"] = """\
lead_finding:
  dropback_filter:
    # Enable/disable dropback functionality
    enabled: true

    # Age threshold configuration
    age_threshold:
      days: 30  # Leads older than this many days trigger dropback
      field_name: "source_date"  # Date field to check against
      use_business_days: false  # Count only business days vs calendar days

    # Web source to campaign mapping
    web_source_campaign_mapping:
      # Voice campaign web sources
      voice_sources:
        - "facebook_voice"
        - "google_ads_voice"
        - "voice_landing_page"
        - "voice_campaign_2024"

      # Apple campaign web sources
      apple_sources:
        - "facebook_apple"
        - "google_ads_apple"
        - "apple_landing_page"
        - "apple_campaign_2024"

      # Default mapping for unmatched sources
      default_campaign: "default"

    # Campaign-specific dropback assignments
    campaign_assignments:
      "Voice": "Pat Adler"        # Voice campaign leads go to Pat Adler
      "Apple": "Kevin Levonas"    # Apple campaign leads go to Kevin Levonas
      "default": "Administrator"  # Fallback for unmatched campaigns

    # Assignment configuration
    assignment_config:
      # Field to use for web source identification
      web_source_field: "source_id"  # Field containing web source ID
      web_source_field_type: "many2one"  # "many2one", "char", "selection"

      # User assignment settings
      assign_immediately: true  # Apply assignment during dropback
      update_status: true       # Update lead status when dropping back
      dropback_status: "dropback"  # Status to set for dropback leads

      # Override existing assignments
      override_existing_assignments: true
      preserve_team_assignment: false

    # Logging and tracking
    logging:
      log_dropback_assignments: true
      log_level: "info"  # debug, info, warning, error
      include_lead_details: false  # Include lead info in logs

    # Reporting
    reporting:
      count_dropback_leads: true
      export_dropback_report: false
      report_path: "reports/dropback_assignments.csv"
"""

FRAGMENTS["s3_6_dropback"] = """\
lead_finding:
  dropback_filter:
    enabled: true

    # Multiple age thresholds
    age_thresholds:
      primary:
        days: 30
        field_name: "source_date"
        description: "Standard dropback threshold"

      secondary:
        days: 60
        field_name: "create_date"
        description: "Extended threshold for special cases"
        conditions:
          - "priority >= 3"  # Only high priority leads
          - "tag_ids contains 'vip'"

    # Advanced web source to campaign matching
    web_source_matching:
      # Primary web source field
      primary_field: "source_id"
      primary_field_type: "many2one"

      # Fallback web source fields
      fallback_fields:
        - field: "utm_source"
          type: "char"
        - field: "x_web_source"
          type: "char"

      # Web source name patterns for campaign mapping
      campaign_patterns:
        "Voice":
          exact_matches:
            - "facebook_voice"
            - "google_ads_voice"
            - "voice_landing_page"
          pattern_matches:
            - ".*voice.*"
            - ".*telephone.*"
            - ".*phone.*"

        "Apple":
          exact_matches:
            - "facebook_apple"
            - "google_ads_apple"
            - "apple_landing_page"
          pattern_matches:
            - ".*apple.*"
            - ".*iphone.*"
            - ".*ios.*"

    # Assignment rules
    assignment_rules:
      "Voice":
        user: "Pat Adler"
        user_id: 15  # Optional: direct user ID
        team: "Voice Team"
        status: "dropback_voice"
        priority: 2

      "Apple":
        user: "Kevin Levonas"
        user_id: 23
        team: "Apple Team"
        status: "dropback_apple"
        priority: 1

      "default":
        user: "Administrator"
        user_id: 1
        team: null  # Keep existing team
        status: "dropback_general"
        priority: 3

    # Advanced filtering
    additional_criteria:
      # Only dropback leads that meet these criteria
      lead_criteria:
        min_priority: 1
        max_priority: 5
        required_fields: ["email", "phone"]
        exclude_statuses: ["won", "lost", "cancelled"]
        exclude_tags: ["do_not_dropback", "manual_assignment"]

      # Exclude leads already assigned to dropback users
      exclude_existing_assignments:
        enabled: true
        dropback_users: ["Pat Adler", "Kevin Levonas"]

    # Performance settings
    performance:
      batch_size: 500
      async_assignment: false
      timeout_seconds: 30
"""

FRAGMENTS["s4_1_level_based"] = """\
distribution:
  strategy: "level_based" | "round_robin" | "proportional" | "capacity_based"
  level_based:
    levels:
      senior:
        target_leads: 200
        priority: 1
        salespeople: ["alice_smith", "bob_johnson"]
      mid_level:
        target_leads: 150
        priority: 2
        salespeople: ["carol_williams", "dave_brown"]
      junior:
        target_leads: 100
        priority: 3
        salespeople: ["eve_davis", "frank_miller"]
    fill_strategy: "highest_priority_first" | "round_robin_within_level"
    allow_overflow: false  # Allow exceeding target levels
    overflow_limit: 10     # Maximum overflow percentage
"""

FRAGMENTS["s4_2_round_robin_override"] = """\
distribution:
  round_robin_override:
    enabled: false
    trigger_conditions:
      - "when_lead_count < 10"
      - "when_salespeople_count < 3"
      - "when_manual_override = true"
    distribution_order: "random" | "alphabetical" | "seniority"
    cycle_reset: "daily" | "weekly" | "monthly"
"""

FRAGMENTS["s4_3_advanced_rules"] = """\
distribution:
  advanced_rules:
    skill_matching:
      enabled: true
      required_skills: ["enterprise_sales", "technical_knowledge"]
      skill_weights: [0.7, 0.3]

    workload_balancing:
      enabled: true
      max_daily_distribution: 20
      min_daily_distribution: 5
      consider_weekend_workload: false

    priority_handling:
      high_priority_leads: "senior_only"
      medium_priority_leads: "all_levels"
      low_priority_leads: "junior_first"

    geographic_distribution:
      enabled: false
      region_matching: true
      timezone_consideration: true
"""

FRAGMENTS["s5_1_main"] = """\
# daily_lead_distribution_config.yaml
version: "1.0"
name: "Daily Lead Distribution"
description: "Automated daily lead distribution system for UTR campaigns"
tags: ["lead-distribution", "automation", "sales", "odoo"]
author: "Sales Operations Team"
created_date: "2024-01-15"
last_modified: "2024-01-15"

# Connection settings
odoo_connection:
  host: "${ODOO_HOST}"
  port: 8069
  database: "${ODOO_DB}"
  username: "${ODOO_USERNAME}"
  password: "${ODOO_PASSWORD}"

# Database connection for tracking and analytics
database_connection:
  host: "${TRACKING_DB_HOST}" | "localhost"
  port: 3306
  database: "${TRACKING_DB_NAME}" | "lead_distribution_tracking"
  username: "${TRACKING_DB_USER}" | "tracking_user"
  password: "${TRACKING_DB_PASSWORD}"

# Campaign configuration
campaign:
  name: "Voice"
  description: "Voice/telephony sales campaign distribution"
  target_campaign: "Voice"  # Voice, Apple, or other user-defined campaigns
  distribution_frequency: "daily"
  active: true

# Salesperson selection
salesperson_selection:
  source_type: "campaign_table" | "file" | "list" | "database"
  source_config:
    # For campaign-based selection
    campaign_table:
      file_path: "config/salesperson_campaigns.csv"  # CSV with salesperson,campaign_name
      table_name: "salesperson_campaigns"  # Database table name
      campaign_column: "campaign_name"
      salesperson_column: "salesperson_name"
      active_column: "active"  # Optional: filter by active status

    # For file-based selection (legacy)
    file_path: "config/salespeople.txt"

    # For list-based selection
    salespeople_list:
      - "alice_smith"
      - "bob_johnson"
      - "carol_williams"

    # For database query selection
    database_query:
      table: "res_users"
      where_clause: "active = true AND sales_team_id = 1"
      fields: ["name", "id", "sales_team_id"]

  # Campaign-specific salesperson filtering
  campaign_filtering:
    enabled: true
    target_campaign: "Voice"  # Voice, Apple, or other user-defined campaigns
    include_inactive_salespeople: false
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]

  # Salesperson criteria
  filters:
    active_only: true
    has_permissions: true
    min_experience_level: 1
    max_workload_percentage: 90
    team_filter: "Voice"  # Optional team filter

# Lead finding criteria
lead_finding:
  date_range:
    older_than_days: 60
    younger_than_days: 180
  web_sources:
    source_type: "file"
    source_config:
      file_path: "config/web_sources.txt"
  campaigns:
    types: ["voice_campaign_2024", "apple_campaign_2024"]
    match_patterns:
      - "voice_campaign_*"
      - "apple_campaign_*"
  additional_filters:
    status: ["new", "in_progress"]
    exclude_assigned: true

# Distribution strategy
distribution:
  strategy: "level_based"
  level_based:
    levels:
      senior:
        target_leads: 200
        priority: 1
      mid_level:
        target_leads: 150
        priority: 2
      junior:
        target_leads: 100
        priority: 3
  round_robin_override:
    enabled: false

# Reporting
reporting:
  generate_report: true
  report_format: "csv" | "json" | "html"
  report_location: "reports/"
  include_analytics: true
  email_notification: false

# Execution settings
execution:
  dry_run: false
  max_leads_per_run: 1000
  batch_size: 50
  retry_failed: true
  max_retries: 3
  log_level: "INFO"
"""

FRAGMENTS["s9_4_tracking"] = """\
# Add to main configuration file
tracking:
  enabled: true

  # Use the main database_connection section
  # database_connection is defined at the root level

  # What to track
  track_individual_assignments: true
  track_pre_post_counts: true
  track_distribution_summary: true

  # Retention policy
  retention_days: 365  # Keep data for 1 year
  archive_old_data: true

  # Performance settings
  batch_size: 1000
  async_tracking: false  # Set to true for better performance
"""

FRAGMENTS["s9_2_error_handling"] = """\
error_handling:
  retry_failed_assignments: true
  max_retries: 3
  retry_delay_seconds: 5

  error_thresholds:
    max_failed_assignments: 10
    max_connection_errors: 3
    max_validation_errors: 5

  fallback_strategies:
    when_no_salespeople_found: "skip_distribution"
    when_no_leads_found: "generate_warning"
    when_distribution_fails: "use_round_robin"
"""

FRAGMENTS["s12_2_monitoring"] = """\
monitoring:
  enable_performance_tracking: true
  log_execution_time: true
  track_memory_usage: true
  alert_on_slow_execution: true
  slow_execution_threshold_seconds: 300
"""

FRAGMENTS["s13_2_security"] = """\
security:
  encrypt_sensitive_data: true
  log_audit_trail: true
  mask_personal_data: true
  retention_policy_days: 90
"""
