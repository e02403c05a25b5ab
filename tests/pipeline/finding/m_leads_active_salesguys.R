# The legacy R selection, run on files the parity test writes:
#   Rscript m_leads_active_salesguys.R CAMPAIGNS_CSV LEADS_CSV TODAY CAMPAIGN OUT
# The function m_leadsActivesalesguys is the spec's (§3.1), unchanged; around it
# the steps §17.2 describes: the campaign's salespeople (category_campaign
# %in% campaign_name), then the active group's leads with "Utr" / "Call Back"
# and the inactive group's with five statuses. Prints the selected lead ids.
suppressMessages(library(dplyr))

args <- commandArgs(trailingOnly = TRUE)
today <- as.Date(args[3])
# The function reads the clock; the test fixes the day.
Sys.Date <- function() today

m_leadsActivesalesguys<-function(status.counts1, all_leads, x, stts,lowerlimit,upperlimit)
{
  firstresults <- status.counts1 %>% filter(!open_user_id %in%
                                              c("Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel")) %>%
    filter(active %in% c(x))
  same.day2 <- all_leads %>% filter(open_user_id %in% firstresults$open_user_id)
  same.day2 <- same.day2 %>% filter(source_date < Sys.Date() -
                                      lowerlimit &
                                      source_date >= Sys.Date() - upperlimit)
  same.day2 <- same.day2 %>% filter(status %in% stts)
  same.day2$activity_date_deadline <- as.Date(same.day2$activity_date_deadline)
  same.day2 <- same.day2 %>% filter(activity_date_deadline <
                                      Sys.Date() - 4 | is.na(activity_date_deadline))
  same.day2 <- same.day2 %>% filter(!is.na(source_date))
  return(same.day2)
}

# Text as written: no blanks stripped, empty cells empty (not NA), as the export holds them.
campaigns <- read.csv(args[1], colClasses = "character", strip.white = FALSE,
                      na.strings = character(0))
leads <- read.csv(args[2], colClasses = "character", strip.white = FALSE,
                  na.strings = character(0))
leads$source_date <- as.Date(ifelse(leads$source_date == "", NA, leads$source_date))
leads$activity_date_deadline[leads$activity_date_deadline == ""] <- NA

status.counts1 <- campaigns %>%
  filter(category_campaign %in% args[4]) %>%
  rename(open_user_id = salesperson_name)

active <- m_leadsActivesalesguys(status.counts1, leads, "True", c("Utr", "Call Back"), 0, 30)
inactive <- m_leadsActivesalesguys(
  status.counts1, leads, "False",
  c("Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"), 0, 30
)
writeLines(as.character(sort(unique(c(active$id, inactive$id)))), args[5])
